package dev.udplab.client.metrics;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.MetricsOptions;
import dev.udplab.common.runtime.MetricsEndpoint;
import dev.udplab.common.runtime.VertxRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code udp_client_*} meters, one set per target (label {@code target} = {@code host:port} as given), and the
 * endpoint that serves them. {@link #target(String)} registers a target's meters once; callers keep the returned
 * {@link Target} and touch only its fields per datagram, so the hot path never looks a meter up. One instance per
 * registry: a second would register no gauges of its own.
 */
public final class ClientMetrics {

  /** The fixed round-trip buckets of {@code udp_client_rtt_seconds}, 10 µs to 10 s. */
  public static final Duration[] RTT_BUCKETS = {
    Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
    Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;
  private final MetricsEndpoint endpoint;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();

  /** Meters in {@code registry}, served by nobody (tests). */
  public ClientMetrics(MeterRegistry registry) {
    this(registry, null);
  }

  private ClientMetrics(MeterRegistry registry, MetricsEndpoint endpoint) {
    this.registry = registry;
    this.endpoint = endpoint;
  }

  /**
   * The meters of a command run on {@code runtime}, served at {@code --metrics-host:--metrics-port} unless the port
   * is 0; says where on {@code err} ({@code metrics http://127.0.0.1:9102/metrics}). When the port is the command's
   * default (not given on the command line) and cannot be bound, say because another flood lingers on it, the
   * endpoint moves to a free port and one line says so: an ordinary command must not fail for want of a port nobody
   * asked for.
   *
   * @throws dev.udplab.common.cli.CommandException (exit 4) when an explicit {@code --metrics-port} cannot be bound
   */
  public static ClientMetrics serve(VertxRuntime runtime, MetricsOptions options, PrintWriter err) {
    if (options.port() == 0) {
      return new ClientMetrics(runtime.registry(), null);
    }
    String host = options.hostOr(MetricsOptions.DEFAULT_HOST);
    MetricsEndpoint endpoint;
    try {
      endpoint = runtime.serveMetrics(host, options.port());
      err.println("metrics " + endpoint.url());
    } catch (CommandException e) {
      if (options.portGiven()) {
        throw e;
      }
      endpoint = runtime.serveMetrics(host, 0);
      err.println("metrics " + endpoint.url() + " (the default port " + options.port() + " is taken, by another "
          + "flood perhaps; --metrics-port chooses one)");
    }
    err.flush();
    return new ClientMetrics(runtime.registry(), endpoint);
  }

  /** Where the meters are served, or null when nowhere. */
  public MetricsEndpoint endpoint() {
    return endpoint;
  }

  /** The registry the meters live in. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The meters of one target, registered on first use; keep the result, do not call this per datagram. */
  public Target target(String label) {
    return targets.computeIfAbsent(label, l -> new Target(registry, l));
  }

  /** The meters of one target. Fields are public so that the per-datagram path is a plain field read. */
  public static final class Target {

    public final Counter datagramsSent;
    public final Counter datagramsReceived;
    public final Counter bytesSent;
    public final Counter bytesReceived;
    /** Datagrams from an address no request went to, or replies with no request outstanding. */
    public final Counter datagramsUnexpected;
    /** Attempts whose reply did not come within the timeout (each retry that times out counts again). */
    public final Counter timeouts;
    public final Counter datagramsLost;
    public final Counter datagramsDuplicated;
    public final Counter datagramsReordered;
    /** A flood's warm-up, apart from every other meter: the server counts it, so the dashboard's split needs it. */
    public final Counter warmupSent;
    public final Counter warmupReceived;
    public final Timer rtt;

    private final MeterRegistry registry;
    private final String label;
    private final AtomicInteger receiveBufferBytes = new AtomicInteger();
    private final AtomicInteger sendBufferBytes = new AtomicInteger();
    private boolean buffersRegistered;

    private Target(MeterRegistry registry, String label) {
      this.registry = registry;
      this.label = label;
      datagramsSent = counter("udp_client_datagrams_sent", "Datagrams the kernel accepted for sending");
      datagramsReceived = counter("udp_client_datagrams_received", "Replies received from the target");
      bytesSent = counter("udp_client_bytes_sent", "Payload bytes sent");
      bytesReceived = counter("udp_client_bytes_received", "Payload bytes received from the target");
      datagramsUnexpected = counter("udp_client_datagrams_unexpected",
          "Datagrams ignored: from another address, or with no request outstanding");
      timeouts = counter("udp_client_timeouts", "Request attempts that got no reply within the timeout");
      datagramsLost = counter("udp_client_datagrams_lost", "Requests or datagrams that never got a reply");
      datagramsDuplicated = counter("udp_client_datagrams_duplicated", "Replies received more than once");
      datagramsReordered = counter("udp_client_datagrams_reordered", "Replies received out of order");
      warmupSent = counter("udp_client_warmup_datagrams_sent", "Datagrams a flood's warm-up sent (in no other meter)");
      warmupReceived = counter("udp_client_warmup_datagrams_received",
          "Replies to a flood's warm-up (in no other meter)");
      rtt = Timer.builder("udp_client_rtt")
          .description("Round-trip time from send to matching reply")
          .tag("target", label)
          .serviceLevelObjectives(RTT_BUCKETS)
          .register(registry);
    }

    private Counter counter(String name, String description) {
      return Counter.builder(name).description(description).tag("target", label).register(registry);
    }

    /** The target label of these meters. */
    public String label() {
      return label;
    }

    /** Records one round trip. */
    public void recordRtt(long nanos) {
      rtt.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Publishes the socket buffer sizes the kernel granted (the socket gauges appear on the first call). */
    public synchronized void socketBuffers(int grantedReceiveBytes, int grantedSendBytes) {
      receiveBufferBytes.set(grantedReceiveBytes);
      sendBufferBytes.set(grantedSendBytes);
      if (!buffersRegistered) {
        buffersRegistered = true;
        Gauge.builder("udp_client_socket_receive_buffer_bytes", receiveBufferBytes, AtomicInteger::get)
            .description("SO_RCVBUF granted by the kernel").tag("target", label).baseUnit("bytes")
            .register(registry);
        Gauge.builder("udp_client_socket_send_buffer_bytes", sendBufferBytes, AtomicInteger::get)
            .description("SO_SNDBUF granted by the kernel").tag("target", label).baseUnit("bytes")
            .register(registry);
      }
    }
  }
}
