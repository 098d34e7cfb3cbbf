package dev.udplab.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusRequestHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.io.PrintStream;
import java.net.BindException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A running server process: one Vert.x with the Prometheus registry, the sockets of one mode (or four for
 * {@code all}), each deployed as {@code --instances} verticles, and the metrics endpoint. Prints the
 * {@code listening} and {@code metrics} lines on start and the final counts on {@link #stop()}.
 */
public final class ServerRuntime {
  /** How long start and stop may take before we give up. */
  public static final long TIMEOUT_SECONDS = 10;

  /** Netty's switch for its Java Flight Recorder events. */
  public static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";

  static {
    tuneProcess();
  }

  private final ServerOptions options;
  private final PrintStream out;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final String transportName;
  private final Map<Mode, List<UdpServerVerticle>> sockets = new LinkedHashMap<>();
  private final Map<Mode, ReplyPolicy> policies = new LinkedHashMap<>();
  private HttpServer metricsServer;
  private boolean stopped;

  private ServerRuntime(ServerOptions options, PrintStream out, Vertx vertx, PrometheusMeterRegistry registry,
      String transportName) {
    this.options = options;
    this.out = out;
    this.vertx = vertx;
    this.registry = registry;
    this.transportName = transportName;
  }

  /**
   * System properties for Vert.x and Netty, effective only before they first load (so {@code main} calls this
   * first, and this class's initialiser again for tests and embedding):
   * <ul>
   * <li>{@code io.netty.jfr.enabled=false} unless given: Netty 4.2 registers its Flight Recorder events on the
   * first buffer allocation, which loaded about 130 {@code jdk.jfr.internal} classes between bind and the
   * first echo.</li>
   * <li>{@code vertx.disableDnsResolver=true} unless given: the server resolves one name, {@code --host}, at
   * bind, for which the JDK's resolver is enough; Netty's DNS resolver cost about 60 classes at start.</li>
   * </ul>
   */
  public static void tuneProcess() {
    if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
      System.setProperty(NETTY_JFR_PROPERTY, "false");
    }
    if (System.getProperty("vertx.disableDnsResolver") == null) {
      System.setProperty("vertx.disableDnsResolver", "true");
    }
  }

  /**
   * Starts everything {@code options} (already validated) asks for, or nothing.
   *
   * @throws StartException naming the port or address that could not be used and what to do
   */
  public static ServerRuntime start(ServerOptions options, PrintStream out) throws StartException {
    return start(options, out, System.err);
  }

  /** As {@link #start(ServerOptions, PrintStream)}, with notes (a fallback to NIO) going to {@code err}. */
  public static ServerRuntime start(ServerOptions options, PrintStream out, PrintStream err) throws StartException {
    Transport transport = chooseTransport(options);
    if (transport == Transport.NIO && options.getTransport() == ServerOptions.TransportChoice.AUTO) {
      Transport wanted = Transport.nativeTransport();
      err.println("udp-server: native transport " + (wanted == null ? "" : wanted.name().toLowerCase(Locale.ROOT) + " ")
          + "unavailable" + (wanted != null && wanted.unavailabilityCause() != null
          ? " (" + wanted.unavailabilityCause() + ")" : "") + "; using NIO");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("udplab-server-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metricsOptions))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withTransport(transport)
        .build();
    String transportName = vertx.isNativeTransportEnabled() ? transport.name().toLowerCase(Locale.ROOT) : "nio";
    ServerRuntime runtime = new ServerRuntime(options, out, vertx, registry, transportName);
    try {
      runtime.deployAll();
      runtime.startMetricsEndpoint();
    } catch (StartException e) {
      runtime.closeQuietly();
      throw e;
    }
    runtime.printListening();
    return runtime;
  }

  private static Transport chooseTransport(ServerOptions options) throws StartException {
    switch (options.getTransport()) {
      case NIO:
        return Transport.NIO;
      case EPOLL:
        if (!Transport.EPOLL.available()) {
          throw new StartException("--transport epoll: the native epoll transport is unavailable here ("
              + Transport.EPOLL.unavailabilityCause() + "); use --transport nio or auto");
        }
        return Transport.EPOLL;
      default:
        Transport chosen = Transport.nativeTransport();
        if (chosen != null && chosen.available()) {
          return chosen;
        }
        if (options.getInstances() > 1) {
          throw new StartException("--instances " + options.getInstances()
              + " needs SO_REUSEPORT on the native epoll transport, which is unavailable here"
              + (chosen != null && chosen.unavailabilityCause() != null ? " (" + chosen.unavailabilityCause() + ")" : "")
              + "; use --instances 1");
        }
        return Transport.NIO;
    }
  }

  private void deployAll() throws StartException {
    for (Mode mode : options.getMode().sockets()) {
      ServerOptions socketOptions = new ServerOptions(options).setMode(mode).setPort(options.resolvedPort(mode));
      List<UdpServerVerticle> instances = new CopyOnWriteArrayList<>();
      sockets.put(mode, instances);
      // One policy per port, shared by its instances: one rate-limit table bounds a source across all of them.
      ReplyPolicy policy = ReplyPolicy.forOptions(socketOptions);
      policies.put(mode, policy);
      Future<String> deployed = vertx.deployVerticle(() -> {
        UdpServerVerticle verticle = new UdpServerVerticle(socketOptions, registry, out, policy);
        instances.add(verticle);
        return verticle;
      }, new DeploymentOptions().setInstances(options.getInstances()));
      Throwable failure = awaitFailure(deployed);
      if (failure != null) {
        throw new StartException(bindProblem("UDP", options.getHost(), socketOptions.getPort(), failure,
            "stop the other server or choose another --port"));
      }
    }
  }

  private void startMetricsEndpoint() throws StartException {
    if (options.getMetricsPort() == 0) {
      return;
    }
    Future<HttpServer> listening = vertx.createHttpServer()
        .requestHandler(PrometheusRequestHandler.create(registry))
        .listen(options.getMetricsPort(), options.getHost());
    Throwable failure = awaitFailure(listening);
    if (failure != null) {
      throw new StartException(bindProblem("metrics", options.getHost(), options.getMetricsPort(), failure,
          "choose another --metrics-port, or --metrics-port 0 to turn the endpoint off"));
    }
    metricsServer = listening.result();
  }

  private static Throwable awaitFailure(Future<?> future) throws StartException {
    try {
      future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new StartException("start did not finish within " + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartException("interrupted while starting");
    }
  }

  /** One line saying which port or address could not be used, why, and what to do. */
  static String bindProblem(String what, String host, int port, Throwable failure, String advice) {
    String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    String message = String.valueOf(failure.getMessage());
    String kind = what.equals("metrics") ? "metrics port (TCP) " : "UDP port ";
    if (failure instanceof UnknownHostException || message.contains("resolve")) {
      return "cannot resolve --host " + host + ": give an IP address such as 127.0.0.1 or 0.0.0.0";
    }
    if (message.contains("Address already in use") || message.contains("(-98)")) {
      return kind + where + " is already in use: " + advice;
    }
    if (message.contains("Cannot assign requested address") || message.contains("(-99)")) {
      return "cannot bind " + where + ": " + host + " is not an address of this machine; use 127.0.0.1, 0.0.0.0 "
          + "or one of its interface addresses";
    }
    if (message.contains("Permission denied") || message.contains("(-13)")) {
      return "cannot bind " + kind + where + ": permission denied (ports below 1024 need privileges); choose a port "
          + "from 1024 up";
    }
    if (failure instanceof BindException) {
      return "cannot bind " + kind + where + ": " + message + "; " + advice;
    }
    return "cannot start on " + kind + where + ": " + failure + "; " + advice;
  }

  private void printListening() {
    for (Map.Entry<Mode, List<UdpServerVerticle>> entry : sockets.entrySet()) {
      UdpServerVerticle first = entry.getValue().get(0);
      out.println("listening mode=" + entry.getKey().label()
          + " address=" + format(first.localAddress())
          + " rcvbuf=" + first.grantedReceiveBuffer()
          + " sndbuf=" + first.grantedSendBuffer()
          + " transport=" + transportName
          + " instances=" + entry.getValue().size());
    }
    for (Map.Entry<Mode, ReplyPolicy> entry : policies.entrySet()) {
      if (entry.getValue() instanceof ReplyGuard && ((ReplyGuard) entry.getValue()).settings().announced()) {
        out.println("guards mode=" + entry.getKey().label()
            + " address=" + format(sockets.get(entry.getKey()).get(0).localAddress())
            + " " + ((ReplyGuard) entry.getValue()).settings().describe());
      }
    }
    if (!KernelSocketStats.system().available()) {
      System.err.println("udp-server: /proc/net/udp not found (not Linux): udp_server_kernel_drops_total and "
          + "udp_server_receive_queue_bytes are not exported");
    }
    if (metricsServer != null) {
      out.println("metrics http://" + formatHost(options.getHost()) + ":" + metricsServer.actualPort() + "/metrics");
    }
    out.flush();
  }

  private static String format(SocketAddress address) {
    return formatHost(ConsoleSampler.displayHost(address.hostAddress())) + ":" + address.port();
  }

  private static String formatHost(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** Closes every socket and the endpoint, then prints one line of final counts per socket. Idempotent. */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    closeQuietly();
    for (Map.Entry<Mode, List<UdpServerVerticle>> entry : sockets.entrySet()) {
      UdpServerVerticle first = entry.getValue().get(0);
      ServerMetrics metrics = first.metrics();
      StringBuilder line = new StringBuilder("stopped mode=").append(entry.getKey().label())
          .append(" port=").append(metrics.port())
          .append(" received=").append(metrics.receivedCount())
          .append(" sent=").append(metrics.sentCount())
          .append(" dropped=").append(metrics.droppedCount());
      if (entry.getValue().size() > 1) {
        // how SO_REUSEPORT spread the flows: one figure per instance, in start order
        line.append(" received-by-instance=").append(entry.getValue().stream()
            .map(socket -> Long.toString(socket.receivedHere())).collect(Collectors.joining(",")));
      }
      out.println(line);
    }
    out.flush();
  }

  private void closeQuietly() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      e.printStackTrace();
    }
  }

  /** The Vert.x instance, for tests and embedding. */
  public Vertx vertx() {
    return vertx;
  }

  /** The registry the metrics endpoint serves. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The actual metrics port, or 0 when the endpoint is off. */
  public int metricsPort() {
    return metricsServer == null ? 0 : metricsServer.actualPort();
  }

  /** The started sockets (instances) of each mode. */
  public Map<Mode, List<UdpServerVerticle>> sockets() {
    Map<Mode, List<UdpServerVerticle>> copy = new LinkedHashMap<>();
    sockets.forEach((mode, list) -> copy.put(mode, new ArrayList<>(list)));
    return copy;
  }

  /** {@code epoll} or {@code nio}: the transport the sockets use. */
  public String transportName() {
    return transportName;
  }
}
