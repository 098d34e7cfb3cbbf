package dev.udplab.client;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusRequestHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client process's Vert.x: native transport when available, Micrometer metrics into a
 * {@link PrometheusMeterRegistry} that also holds the {@code udp_client_*} meters, and the {@code /metrics}
 * endpoint. Its methods block, so call them from the main thread (or a test thread), never an event loop.
 */
public final class ClientRuntime implements AutoCloseable {

  /** Netty's switch for its Java Flight Recorder events. */
  public static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";

  static {
    tuneProcess();
  }

  /** The address the metrics endpoint binds. */
  public static final String METRICS_HOST = "127.0.0.1";

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final ClientMetrics metrics;
  private final HttpServer metricsServer;

  private ClientRuntime(Vertx vertx, PrometheusMeterRegistry registry, HttpServer metricsServer) {
    this.vertx = vertx;
    this.registry = registry;
    this.metrics = new ClientMetrics(registry);
    this.metricsServer = metricsServer;
  }

  /**
   * Starts Vert.x and, unless {@code metricsPort} is 0, serves {@code http://127.0.0.1:PORT/metrics}.
   *
   * @throws CommandException with exit code 4 when the metrics port cannot be bound
   */
  public static ClientRuntime start(int metricsPort) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // A registry name of our own keeps several runtimes in one JVM (tests) apart in Vert.x's static map.
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("udp-client-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(metricsOptions))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    if (metricsPort == 0) {
      return new ClientRuntime(vertx, registry, null);
    }
    try {
      HttpServer server = vertx.createHttpServer()
          .requestHandler(PrometheusRequestHandler.create(registry))
          .listen(metricsPort, METRICS_HOST)
          .await();
      return new ClientRuntime(vertx, registry, server);
    } catch (Exception e) {
      closeQuietly(vertx);
      throw CommandException.environment("cannot serve metrics on " + METRICS_HOST + ":" + metricsPort + " ("
          + e.getMessage() + "): choose another port with --metrics-port PORT, or turn it off with --metrics-port 0");
    }
  }

  /**
   * System properties for Vert.x and Netty, effective only before they first load (so {@code main} calls
   * this first, and this class's initialiser again for tests):
   * <ul>
   * <li>{@code io.netty.jfr.enabled=false} unless given: setting up Netty 4.2's Flight Recorder events made
   * the first datagram of a process take 0.4 to 0.9 s instead of 30 to 70 ms on a loaded 2-core machine.</li>
   * <li>{@code vertx.disableDnsResolver=true}: Vert.x resolves the host of every datagram it sends; its DNS
   * resolver shares an in-flight resolution of the same IP literal between event loops, and a send that joins
   * another loop's resolution is written later, out of order (35 spurious reorders in 2000 datagrams with the
   * echo server in the same process). Targets are IP literals already ({@link HostPort#ip()}).</li>
   * </ul>
   */
  public static void tuneProcess() {
    if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
      System.setProperty(NETTY_JFR_PROPERTY, "false");
    }
    System.setProperty("vertx.disableDnsResolver", "true");
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The registry behind {@code /metrics}: Vert.x's own meters and the {@code udp_client_*} ones. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public ClientMetrics metrics() {
    return metrics;
  }

  /** The bound metrics port, or 0 when the endpoint is off. */
  public int metricsPort() {
    return metricsServer == null ? 0 : metricsServer.actualPort();
  }

  /** {@code http://127.0.0.1:PORT/metrics}, or null when the endpoint is off. */
  public String metricsUrl() {
    return metricsServer == null ? null : "http://" + METRICS_HOST + ":" + metricsPort() + "/metrics";
  }

  /** {@code epoll} when the native transport is in use, {@code nio} otherwise. */
  public String transport() {
    return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
  }

  /** Closes the endpoint, every socket and Vert.x itself. */
  @Override
  public void close() {
    closeQuietly(vertx);
  }

  private static void closeQuietly(Vertx vertx) {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // Exiting anyway: a close that hangs must not hang the process too.
    }
  }
}
