package dev.udplab.common.runtime;

import dev.udplab.common.cli.CommandException;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One process's Vert.x: the chosen transport, Micrometer metrics into a {@link PrometheusMeterRegistry} that also
 * holds udplab's own meters, and the {@code /metrics} endpoint. Its methods block, so call them from the main thread
 * (or a test thread), never from an event loop.
 */
public final class VertxRuntime implements AutoCloseable {

  /** The Vert.x gauges that are not registered (see {@link #start}). */
  static final Set<String> REGISTERED_PER_SCRAPE = Set.of("vertx.http.server.active.connections",
      "vertx.http.server.active.requests");

  /** How long a start, a bind or a close may take before the process gives up. */
  public static final long TIMEOUT_SECONDS = 10;

  static {
    ProcessProperties.apply();
  }

  /**
   * The JVM's meters, as Vert.x binds them with {@code setJvmMetricsEnabled(true)} (VertxMetricsImpl.init), but on a
   * thread of their own: the first datagram needs none of them, and on the main thread they delayed every start.
   */
  private static final List<Supplier<MeterBinder>> JVM_METERS = List.of(ClassLoaderMetrics::new,
      JvmCompilationMetrics::new, JvmGcMetrics::new, JvmHeapPressureMetrics::new, JvmInfoMetrics::new,
      JvmMemoryMetrics::new, JvmThreadMetrics::new, ProcessorMetrics::new, UptimeMetrics::new);

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final Transport transport;
  private final List<MeterBinder> jvmMeters = new CopyOnWriteArrayList<>();
  private final Thread jvmMeterBinding;
  private MetricsEndpoint endpoint;

  private VertxRuntime(Vertx vertx, PrometheusMeterRegistry registry, Transport transport) {
    this.vertx = vertx;
    this.registry = registry;
    this.transport = transport;
    this.jvmMeterBinding = new Thread(() -> {
      for (Supplier<MeterBinder> meter : JVM_METERS) {
        MeterBinder binder = meter.get();
        binder.bindTo(registry);
        jvmMeters.add(binder);
      }
    }, "udplab-jvm-meters");
    jvmMeterBinding.setDaemon(true);
    jvmMeterBinding.start();
  }

  /** Waits until the JVM's meters are in the registry (the endpoint never serves without them). */
  private void awaitJvmMeters() {
    try {
      jvmMeterBinding.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts Vert.x on {@code transport} with metrics on.
   *
   * @param name what the registry is named after ({@code udp-server}); a random suffix keeps several runtimes in
   *             one JVM (tests) apart in Vert.x's static registry map
   */
  public static VertxRuntime start(String name, Transport transport) {
    LoggingClasses.loadNow();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Before any meter exists (Micrometer wants filters first): vertx-micrometer-metrics 5.0.12 registers these two
    // gauges anew for every HTTP connection (VertxNetServerMetrics.NetServerSocketMetric) and every request
    // (VertxHttpServerMetrics.requestBegin), and Micrometer warns on stderr from the second scrape on. They count
    // open scrape connections and requests, which nothing here reads.
    registry.config().meterFilter(MeterFilter.deny(id -> REGISTERED_PER_SCRAPE.contains(id.getName())));
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false) // bound by the runtime itself, off the main thread: see JVM_METERS
        .setRegistryName(name + "-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metricsOptions))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withTransport(transport)
        .build();
    return new VertxRuntime(vertx, registry, transport);
  }

  /**
   * Serves {@code http://HOST:PORT/metrics} from {@link #registry()}, within the limits {@link MetricsHttpServer}
   * sets (connections, timeouts, methods), so that nobody who can reach it can starve it.
   *
   * @throws CommandException (exit 4) naming the port and what to do when it cannot be bound
   */
  public MetricsEndpoint serveMetrics(String host, int port) {
    return awaitMetrics(listenMetrics(host, port), host, port);
  }

  /**
   * Starts binding the metrics endpoint and returns at once, so that the caller can do other start-up work
   * meanwhile; {@link #awaitMetrics} then waits for it.
   */
  public Future<HttpServer> listenMetrics(String host, int port) {
    return MetricsHttpServer.create(vertx, registry).listen(port, host);
  }

  /**
   * Waits for an endpoint {@link #listenMetrics} started.
   *
   * @throws CommandException (exit 4) naming the port and what to do when it cannot be bound
   */
  public MetricsEndpoint awaitMetrics(Future<HttpServer> listening, String host, int port) {
    try {
      awaitJvmMeters();
      HttpServer server = await(listening, "the metrics endpoint");
      endpoint = new MetricsEndpoint(host, server.actualPort());
      return endpoint;
    } catch (CommandException e) {
      throw e;
    } catch (Exception e) { // Future.await rethrows the bind's checked exception as is
      throw CommandException.environment(BindFailures.describe("metrics port (TCP)", host, port, e,
          "choose another --metrics-port, or --metrics-port 0 to turn the endpoint off"));
    }
  }

  /**
   * Waits for {@code future} on this (non-event-loop) thread up to {@link #TIMEOUT_SECONDS}; its failure is rethrown.
   *
   * @throws CommandException (exit 4) when it does not complete in time
   */
  public static <T> T await(Future<T> future, String what) {
    try {
      return future.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw CommandException.environment(what + " did not start within " + TIMEOUT_SECONDS + " s");
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The registry behind {@code /metrics}: Vert.x's meters, the JVM's, and udplab's own. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The endpoint, or null when none is served. */
  public MetricsEndpoint metricsEndpoint() {
    return endpoint;
  }

  /** {@code epoll} (or another native transport's name) when it is in use, {@code nio} otherwise. */
  public String transportName() {
    return vertx.isNativeTransportEnabled() ? transport.name().toLowerCase(Locale.ROOT) : "nio";
  }

  /** Closes the endpoint, every socket and Vert.x itself; a close that hangs does not hang the caller. */
  @Override
  public void close() {
    try {
      vertx.close().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // exiting anyway
    }
    awaitJvmMeters();
    for (MeterBinder binder : jvmMeters) {
      if (binder instanceof AutoCloseable closeable) {
        try {
          closeable.close(); // JvmGcMetrics and JvmHeapPressureMetrics listen to the GC's notifications
        } catch (Exception e) {
          // closing anyway
        }
      }
    }
  }
}
