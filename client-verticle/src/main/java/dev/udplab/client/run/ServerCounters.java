package dev.udplab.client.run;

import dev.udplab.client.report.LossAttribution;
import dev.udplab.common.runtime.PrometheusSamples;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code --server-metrics URL}: a udplab server's counters for the flood's target port, read from its {@code /metrics}
 * just before the first datagram and again after the drain, so that {@link LossAttribution} can say where the loss
 * happened. Blocks (the JDK's HTTP client, bounded by {@link #TIMEOUT}): call it from the main thread, never an event
 * loop. A URL that does not answer, or is not a udplab server's, is said in one line on {@code notes} (once per
 * problem) and the flood goes on without attribution.
 */
public final class ServerCounters {

  /** How long one reading may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  static final String RECEIVED = "udp_server_datagrams_received_total";
  static final String KERNEL_DROPS = "udp_server_kernel_drops_total";
  static final String DROPPED = "udp_server_datagrams_dropped_total";

  /**
   * The server's counters for one port, summed over its instances.
   *
   * @param kernelDrops null where the server exports no kernel drops (not Linux)
   */
  public record Reading(long received, Long kernelDrops, Map<String, Long> droppedByReason) {

    /** What happened between {@code before} and this reading, for a flood that sent {@code sent} and lost {@code lost}. */
    public LossAttribution since(Reading before, long sent, long lost, Long clientKernelDrops) {
      Map<String, Long> dropped = new HashMap<>();
      droppedByReason.forEach((reason, n) -> dropped.put(reason, n - before.droppedByReason.getOrDefault(reason, 0L)));
      Long kernel = kernelDrops == null || before.kernelDrops == null ? null : kernelDrops - before.kernelDrops;
      return LossAttribution.of(sent, lost, received - before.received, kernel, dropped, clientKernelDrops);
    }
  }

  private final URI url;
  private final Supplier<String> inProcess;
  private final String source;
  private final PrintWriter notes;
  private final HttpClient http;
  private String lastProblem;

  private ServerCounters(URI url, Supplier<String> inProcess, String source, PrintWriter notes) {
    this.url = url;
    this.inProcess = inProcess;
    this.source = source;
    this.notes = notes;
    this.http = url == null ? null
        : HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** Readings from {@code url}; problems go to {@code notes}. */
  public static ServerCounters of(URI url, PrintWriter notes) {
    return new ServerCounters(url, null, "--server-metrics " + url, notes);
  }

  /**
   * Readings of a server in this process ({@code demo}): {@code scrape} gives its registry's Prometheus text, the
   * same text its endpoint would serve; {@code source} names it in a problem line.
   */
  public static ServerCounters inProcess(Supplier<String> scrape, String source, PrintWriter notes) {
    return new ServerCounters(null, scrape, source, notes);
  }

  /** The counters for {@code port} now, or null after one line on {@code notes} saying why there are none. */
  public Reading read(int port, String when) {
    String body = inProcess != null ? inProcess.get() : fetch(when);
    if (body == null) {
      return null;
    }
    PrometheusSamples samples;
    try {
      samples = PrometheusSamples.parse(body);
    } catch (IllegalArgumentException e) {
      return problem(when, "does not serve Prometheus text, so it is not a udplab server's /metrics");
    }
    if (samples.sum(RECEIVED, Map.of()) == null) {
      return problem(when, "has no " + RECEIVED + ", so it is not a udplab server's /metrics");
    }
    Map<String, String> onPort = Map.of("port", Integer.toString(port));
    Double received = samples.sum(RECEIVED, onPort);
    if (received == null) {
      return problem(when, "counts nothing for port " + port + ": is it the server behind --to?");
    }
    Double kernel = samples.sum(KERNEL_DROPS, onPort);
    Map<String, Long> dropped = new HashMap<>();
    samples.sumBy(DROPPED, "reason", onPort).forEach((reason, n) -> dropped.put(reason, Math.round(n)));
    return new Reading(Math.round(received), kernel == null ? null : Math.round(kernel), dropped);
  }

  /** The endpoint's text, or null after the problem line. */
  private String fetch(String when) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return problem(when, "answered HTTP " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      return problem(when, "does not answer (" + describe(e) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return problem(when, "was interrupted");
    } catch (IllegalArgumentException e) {
      return problem(when, "is not a URL this client can read (" + e.getMessage() + ")");
    }
  }

  private <T> T problem(String when, String what) {
    String line = source + " " + what + " " + when + "; no loss attribution";
    if (!line.equals(lastProblem)) {
      notes.println(line);
      notes.flush();
      lastProblem = line;
    }
    return null;
  }

  /** What went wrong, in the user's terms: the JDK's client reports a refused connection as a closed channel. */
  static String describe(IOException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof ClosedChannelException) {
        return "nothing accepts connections there";
      }
      if (cause instanceof HttpTimeoutException) {
        return "no answer within " + TIMEOUT.toSeconds() + " s";
      }
      if (cause instanceof UnresolvedAddressException
          || cause instanceof UnknownHostException) {
        return "its host does not resolve";
      }
    }
    return e.getMessage() == null || e.getMessage().isEmpty() ? e.getClass().getSimpleName() : e.getMessage();
  }
}
