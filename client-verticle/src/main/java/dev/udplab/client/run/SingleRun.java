package dev.udplab.client.run;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.flood.FloodVerticle;
import dev.udplab.client.flood.FloodVerticle.FloodProgress;
import dev.udplab.client.flood.SendPacer;
import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.PortProbe;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.JsonReport;
import dev.udplab.client.report.JsonStream;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.report.TextReport;
import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.CommandLines;
import dev.udplab.common.cli.Durations;
import dev.udplab.common.runtime.VertxRuntime;
import java.io.PrintWriter;
import java.net.PortUnreachableException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Runs one flood at a time on a started runtime, for {@code flood} (single runs, sweeps, probes) and {@code demo}:
 * deploys a {@link FloodVerticle}, ties Ctrl-C and SIGTERM/SIGHUP to its send phase, reads the server's counters
 * around it ({@code --server-metrics}), prints its header, interval lines and afterword, and undeploys it. Blocks, so
 * call it from the main thread, never an event loop.
 */
public final class SingleRun {

  /** Datagrams per second of the one-second warm-up before compared runs. */
  public static final int WARM_UP_RATE = 5000;
  /** How long the probe after a run with no reply waits for the kernel's ICMP answer (loopback answers at once). */
  static final Duration PROBE_WAIT = Duration.ofMillis(250);
  /** How long both kernels' counters must stand still after a warm-up before the run starts. */
  static final Duration QUIET = Duration.ofMillis(100);
  /** The longest wait for them to. */
  static final Duration QUIET_MAX = Duration.ofSeconds(2);

  private final VertxRuntime runtime;
  private final ClientMetrics metrics;
  private final StopSignal signal;
  private final ServerCounters server;

  /** Floods on {@code runtime}, counted in {@code metrics}; a stop on {@code signal} ends a send phase early. */
  public SingleRun(VertxRuntime runtime, ClientMetrics metrics, StopSignal signal) {
    this(runtime, metrics, signal, null);
  }

  /** As above, with the loss split by the counters of {@code server} ({@code --server-metrics}), or null. */
  public SingleRun(VertxRuntime runtime, ClientMetrics metrics, StopSignal signal, ServerCounters server) {
    this.runtime = runtime;
    this.metrics = metrics;
    this.signal = signal;
    this.server = server;
  }

  public StopSignal signal() {
    return signal;
  }

  /**
   * Runs one flood, printing its header, interval lines (or a progress line on a terminal) and afterword to
   * {@code text}, or nothing when it is null. The report carries the client's own kernel drops and, with
   * {@code --server-metrics}, where the loss happened.
   *
   * @throws CommandException (exit 4) when a socket cannot be bound or {@code --gso on} is not offered on this path
   */
  public FloodReport run(FloodOptions options, PrintWriter text, boolean terminal) {
    return run(options, text, terminal, null);
  }

  /**
   * As above, and with {@code stream} ({@code --json-stream}), or null, its {@code start} line once the sockets are
   * bound and an {@code interval} line per interval; the caller writes {@code end} with the report.
   */
  public FloodReport run(FloodOptions options, PrintWriter text, boolean terminal, JsonStream stream) {
    ClientMetrics.Target meters = metrics.target(options.target().label());
    Consumer<FloodProgress> progress = progress(text, terminal, options.sizeBytes());
    if (stream != null) {
      progress = progress.andThen(p -> stream.write(JsonReport.streamInterval(p.interval(), p.totalSent(),
          p.totalReceived(), p.replies(), options.sizeBytes())));
    }
    FloodVerticle flood = new FloodVerticle(options, meters, progress);
    String id = VertxRuntime.await(runtime.vertx().deployVerticle(flood), "the flood's sockets");
    try {
      SocketBuffers.Granted granted = flood.granted();
      meters.socketBuffers(granted.receiveBytes(), granted.sendBytes());
      if (text != null) {
        printHeader(text, options, granted, flood, terminal);
      }
      if (stream != null) {
        stream.write(JsonReport.streamStart(options.target().label(), options.parameters(flood.segmentsPerWrite(),
            granted), CommandLines.versionOf(SingleRun.class), System.currentTimeMillis()));
      }
      signal.onStop(flood::stopSending);
      if (signal.isInterrupted()) {
        flood.stopSending();
      }
      flood.warmUp().await();
      Baseline baseline = baseline(flood, options);
      ServerCounters.Reading before = baseline.server();
      FloodReport report = flood.run().await();
      long clientDrops = flood.clientDrops();
      report = report.withClientKernelDrops(clientDrops >= 0 && baseline.clientDrops() >= 0
          ? clientDrops - baseline.clientDrops() : null);
      if (before != null && report.replies()) {
        ServerCounters.Reading after = server.read(options.target().port(), "after the flood");
        if (after != null) {
          report = report.withLossAttribution(after.since(before, report.sent(), report.lost(),
              report.clientKernelDrops()));
        }
      }
      if (text != null) {
        printAfterword(text, options, flood, report, terminal);
      }
      return report;
    } finally {
      signal.onStop(() -> { });
      runtime.vertx().undeploy(id).await();
    }
  }

  /** Both kernels' counters just before the run: this client's drops (-1 where unknown) and the server's, or null. */
  private record Baseline(long clientDrops, ServerCounters.Reading server) {
  }

  /**
   * Both kernels count the warm-up too, and a busy server may still be working through it (or its replies still
   * arriving) when the warm-up's settle ends: the counters are read until they stand still for {@link #QUIET}, at
   * most {@link #QUIET_MAX}, so that the run's split holds the run's datagrams only.
   */
  private Baseline baseline(FloodVerticle flood, FloodOptions options) {
    int port = options.target().port();
    Baseline last = new Baseline(flood.clientDrops(), server == null ? null : server.read(port, "before the flood"));
    long deadline = System.nanoTime() + QUIET_MAX.toNanos();
    while (!options.warmup().isZero() && System.nanoTime() < deadline && !signal.isInterrupted()) {
      try {
        Thread.sleep(QUIET.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      Baseline now = new Baseline(flood.clientDrops(), server == null ? null : server.read(port, "before the flood"));
      if (now.equals(last)) {
        break;
      }
      last = now;
    }
    return last;
  }

  /**
   * A cold JVM sends and reads several times slower in its first second: one second at {@link #WARM_UP_RATE} to
   * the same target, not reported, before runs that are compared.
   */
  public void warmUp(FloodOptions base, PrintWriter text) {
    FloodReport warmUp = new SingleRun(runtime, metrics, signal).run(base.withCount(WARM_UP_RATE)
        .withRate(WARM_UP_RATE).withDuration(Duration.ofSeconds(1)).withDrain(Duration.ofMillis(200))
        .withWarmup(Duration.ZERO), null, false);
    text.println("warm-up (not reported): " + warmUp.sent() + " datagrams at " + WARM_UP_RATE + " pps");
    text.flush();
  }

  private static void printHeader(PrintWriter text, FloodOptions options, SocketBuffers.Granted granted,
      FloodVerticle flood, boolean terminal) {
    text.println(TextReport.header(options.target().label(), options.parameters(flood.segmentsPerWrite(), granted)));
    for (String line : new String[] {TextReport.pacingLine(options.rate(), SendPacer.PER_DATAGRAM_MAX_RATE),
        flood.gso().note(), TextReport.warmupLine(options.warmup().toNanos() / 1e9, options.rate())}) {
      if (line != null) {
        text.println(line);
      }
    }
    String shortfall = options.buffers().shortfall(granted);
    if (shortfall != null) {
      text.println(shortfall);
    }
    if (!terminal && !options.interval().isZero()) {
      text.println(TextReport.intervalTitle());
    }
    text.flush();
  }

  private static Consumer<FloodProgress> progress(PrintWriter text, boolean terminal, int sizeBytes) {
    return p -> {
      if (text == null) {
        return;
      }
      if (terminal) {
        text.print(TextReport.progressLine(p.interval().second(), p.totalSent(), p.totalReceived(), p.replies()));
      } else {
        text.println(TextReport.intervalLine(p.interval(), p.totalSent(), p.totalReceived(), p.replies(),
            sizeBytes));
      }
      text.flush();
    };
  }

  private static void printAfterword(PrintWriter text, FloodOptions options, FloodVerticle flood, FloodReport report,
      boolean terminal) {
    if (terminal) {
      text.println();
    }
    if (report.clientKernelDrops() != null && report.replies()) {
      long clientDrops = report.clientKernelDrops();
      text.println("of the loss, " + clientDrops + " were dropped by this client's own receive buffer"
          + (clientDrops > 0 ? " (the client read too slowly; raise --rcvbuf)" : ""));
    }
    if (report.lossAttribution() != null) {
      text.println(report.lossAttribution().line(report.lost(), report.sent()));
      if (report.lossAttribution().path() > 0 && options.target().address().isLoopbackAddress()) {
        text.println("(loopback loses nothing on the path: those were still in flight when the " + Durations.format(
            options.drain()) + " drain ended, queued at a busy server or on their way back; --drain waits longer)");
      }
    }
    if (report.sendFailures() > 0) {
      text.println(report.sendFailures() + " sends failed (not counted as sent): " + report.sendFailure());
    }
    String why = report.noReply() ? whyNoReply(options, flood, report) : null;
    if (why != null) {
      text.println(why);
    }
    text.flush();
  }

  /**
   * One line on why nothing came back, or null: the kernel's ICMP answer (nothing listens there), or the hint that a
   * silent target may be a sink. The exit code's own line says that nothing came back.
   */
  static String whyNoReply(FloodOptions options, FloodVerticle flood, FloodReport report) {
    String target = options.target().display();
    boolean refused = flood.readError() instanceof PortUnreachableException
        || PortProbe.probe(options.target(), PROBE_WAIT) == PortProbe.Answer.REFUSED;
    if (refused) {
      return "nothing listens on " + target + " (the kernel answered with ICMP port unreachable)";
    }
    if (options.expect() == ReplyKind.AUTO && report.mode() == ReplyKind.SEQUENCED) {
      return "if " + target + " is a sink, use --expect none";
    }
    return null;
  }
}
