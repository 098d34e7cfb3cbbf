package dev.udplab.server;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.net.ProcNetUdp;
import dev.udplab.common.net.SocketAddresses;
import dev.udplab.common.runtime.BindFailures;
import dev.udplab.common.runtime.MetricsEndpoint;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.common.runtime.VertxRuntime;
import dev.udplab.common.runtime.ProcessMemory;
import dev.udplab.common.runtime.ProcessProperties;
import dev.udplab.server.guard.GuardSettings;
import dev.udplab.server.guard.OwnSockets;
import dev.udplab.server.guard.ReplyGuard;
import dev.udplab.server.guard.SourceRateLimiter;
import dev.udplab.server.mode.ServerMode;
import dev.udplab.server.socket.BoundSocket;
import dev.udplab.server.socket.ServerMetrics;
import dev.udplab.server.socket.SocketSettings;
import dev.udplab.server.socket.SocketWarmUp;
import dev.udplab.server.socket.UdpServerVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A running server process: one {@link VertxRuntime} (Vert.x, the Prometheus registry, {@code /metrics}), the
 * sockets of one mode (or four for {@code all}), each deployed as {@code --instances} verticles. Prints the
 * {@code listening}, {@code guards} and {@code metrics} lines on start and the final counts on {@link #stop()}.
 */
public final class ServerRuntime {
  private static final int WARM_UP_DATAGRAMS = ProcessProperties.serverWarmUpDatagrams();

  private final ServerConfig config;
  private final PrintStream out;
  private final VertxRuntime runtime;
  private final Map<ServerMode, List<UdpServerVerticle>> instances = new LinkedHashMap<>();
  private final Map<ServerMode, ReplyGuard> guards = new LinkedHashMap<>();
  private boolean stopped;

  private ServerRuntime(ServerConfig config, PrintStream out, VertxRuntime runtime) {
    this.config = config;
    this.out = out;
    this.runtime = runtime;
  }

  /**
   * Starts everything {@code config} asks for, or nothing: on failure every socket bound so far is closed again.
   * Notes (a fallback to NIO, no {@code /proc/net/udp}) go to {@code err}.
   *
   * @throws CommandException (exit 4) naming the port or address that could not be used and what to do
   */
  public static ServerRuntime start(ServerConfig config, PrintStream out, PrintStream err) {
    Transport transport = transportFor(config, err);
    ServerRuntime server = new ServerRuntime(config, out, VertxRuntime.start("udp-server", transport));
    try {
      server.deployAll();
      // the endpoint binds on its own event loop while the warm-up runs; neither needs the other
      Future<HttpServer> metrics = config.metricsPort() == 0 ? null
          : server.runtime.listenMetrics(config.metricsHost(), config.metricsPort());
      server.warmUpAll();
      MetricsEndpoint endpoint = metrics == null ? null
          : server.runtime.awaitMetrics(metrics, config.metricsHost(), config.metricsPort());
      server.printStarted(endpoint, err);
      return server;
    } catch (RuntimeException | Error e) { // an OutOfMemoryError too: nothing stays bound
      server.guards.clear(); // the rate-limit tables built so far, so that closing has memory to work with
      server.runtime.close();
      throw e;
    }
  }

  private static Transport transportFor(ServerConfig config, PrintStream err) {
    if (config.transport() != TransportChoice.AUTO || TransportChoice.nativeAvailable()) {
      return config.transport().resolve();
    }
    if (config.instances() > 1) {
      throw CommandException.environment("--instances " + config.instances() + " needs SO_REUSEPORT on the native "
          + "epoll transport, which is unavailable here (" + TransportChoice.nativeUnavailableReason()
          + "); use --instances 1");
    }
    err.println("udp-server: native transport unavailable (" + TransportChoice.nativeUnavailableReason()
        + "); using NIO");
    return Transport.NIO;
  }

  private void deployAll() {
    OwnSockets ownSockets = new OwnSockets();
    for (ServerMode mode : config.mode().sockets()) {
      // One guard per port, shared by its instances: one rate-limit table bounds a source across all of them. All
      // built before the first bind, so that a heap too small for the tables fails the start with nothing bound.
      guards.put(mode, new ReplyGuard(config.guardSettings(), ownSockets));
    }
    for (ServerMode mode : config.mode().sockets()) {
      SocketSettings socket = config.socket(mode);
      List<UdpServerVerticle> started = new CopyOnWriteArrayList<>();
      instances.put(mode, started);
      ReplyGuard guard = guards.get(mode);
      try {
        VertxRuntime.await(runtime.vertx().deployVerticle(() -> {
          UdpServerVerticle verticle = new UdpServerVerticle(socket, guard.forSocket(), runtime.registry(), out,
              WARM_UP_DATAGRAMS > 0);
          started.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(config.instances())), "the " + mode.label() + " socket");
        for (UdpServerVerticle verticle : started) {
          ownSockets.add(inetAddressOf(verticle.bound().address()));
        }
      } catch (CommandException e) {
        throw e;
      } catch (Exception e) { // Future.await rethrows the bind's failure as is
        throw CommandException.environment(BindFailures.describe("UDP port", config.host(), socket.port(), e,
            "stop the other server or choose another --port"));
      }
    }
  }

  /** The bound address (an IP literal, so nothing is resolved) as the guards compare senders with it. */
  private static InetSocketAddress inetAddressOf(SocketAddress bound) {
    try {
      return new InetSocketAddress(InetAddress.getByName(bound.hostAddress()), bound.port());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a bound socket's address is not an IP literal: " + bound, e);
    }
  }

  /** Each port's sockets through their real path before {@code listening}: see {@link SocketWarmUp}. */
  private void warmUpAll() {
    if (WARM_UP_DATAGRAMS == 0) {
      return;
    }
    for (Map.Entry<ServerMode, List<UdpServerVerticle>> entry : instances.entrySet()) {
      SocketWarmUp.run(entry.getValue(), WARM_UP_DATAGRAMS,
          () -> new ReplyGuard(warmUpSettings(config.guardSettings()), new OwnSockets()).forSocket());
    }
  }

  /** The port's guards, with a rate limit the warm-up never reaches: its path is the one a real client takes. */
  private static GuardSettings warmUpSettings(GuardSettings settings) {
    return !settings.rateLimited() ? settings : new GuardSettings(SourceRateLimiter.MAX_RATE,
        SourceRateLimiter.MAX_BURST, settings.maxSources(), settings.amplificationGuard(),
        settings.reflectorPortGuard(), settings.loopGuard(), settings.publicPolicy(), settings.loopbackBind());
  }

  private void printStarted(MetricsEndpoint endpoint, PrintStream err) {
    for (Map.Entry<ServerMode, List<UdpServerVerticle>> entry : instances.entrySet()) {
      BoundSocket first = entry.getValue().get(0).bound();
      out.println("listening mode=" + entry.getKey().label()
          + " address=" + format(first.address())
          + " rcvbuf=" + first.receiveBufferBytes()
          + " sndbuf=" + first.sendBufferBytes()
          + " transport=" + runtime.transportName()
          + " instances=" + entry.getValue().size());
    }
    for (Map.Entry<ServerMode, ReplyGuard> entry : guards.entrySet()) {
      if (entry.getValue().settings().announced()) {
        out.println("guards mode=" + entry.getKey().label()
            + " address=" + format(instances.get(entry.getKey()).get(0).bound().address())
            + " " + entry.getValue().settings().describe());
      }
    }
    if (!ProcNetUdp.system().available()) {
      err.println("udp-server: /proc/net/udp not found (not Linux): udp_server_kernel_drops_total and "
          + "udp_server_receive_queue_bytes are not exported");
    }
    if (endpoint != null) {
      out.println("metrics " + endpoint.url() + publicNote(endpoint.host()));
    }
    out.flush();
  }

  /** What the {@code metrics} line adds when others can reach the endpoint; empty on loopback. */
  static String publicNote(String metricsHost) {
    InetAddress address;
    try {
      address = InetAddress.getByName(metricsHost);
    } catch (UnknownHostException e) {
      return " (public: not loopback)";
    }
    if (address.isLoopbackAddress()) {
      return "";
    }
    return address.isAnyLocalAddress() ? " (public: every interface)" : " (public: reachable from other machines)";
  }

  private static String format(SocketAddress address) {
    return SocketAddresses.format(SocketAddresses.displayHost(address.hostAddress()), address.port());
  }

  /**
   * Closes every socket and the endpoint, then prints one line of final counts per socket. Idempotent. Blocks (up to
   * {@link VertxRuntime#TIMEOUT_SECONDS}), so call it from the main thread or a signal thread, never an event loop.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    runtime.close();
    String memory = ProcessMemory.now().fields();
    for (Map.Entry<ServerMode, List<UdpServerVerticle>> entry : instances.entrySet()) {
      ServerMetrics metrics = entry.getValue().get(0).bound().metrics();
      StringBuilder line = new StringBuilder("stopped mode=").append(entry.getKey().label())
          .append(" port=").append(metrics.port())
          .append(" received=").append(metrics.receivedCount())
          .append(" sent=").append(metrics.sentCount())
          .append(" dropped=").append(metrics.droppedCount());
      if (entry.getValue().size() > 1) {
        // how SO_REUSEPORT spread the flows: one figure per instance, in start order
        line.append(" received-by-instance=").append(entry.getValue().stream()
            .map(socket -> Long.toString(socket.bound().metrics().receivedHere())).collect(Collectors.joining(",")));
      }
      out.println(line.append(' ').append(memory));
    }
    out.flush();
  }

  /** The Vert.x instance, for tests and embedding. */
  public Vertx vertx() {
    return runtime.vertx();
  }

  /** The registry the metrics endpoint serves. */
  public PrometheusMeterRegistry registry() {
    return runtime.registry();
  }

  /** The actual metrics port, or 0 when the endpoint is off. */
  public int metricsPort() {
    MetricsEndpoint endpoint = runtime.metricsEndpoint();
    return endpoint == null ? 0 : endpoint.port();
  }

  /** The started sockets (instances, in start order) of each mode. */
  public Map<ServerMode, List<UdpServerVerticle>> instances() {
    Map<ServerMode, List<UdpServerVerticle>> copy = new LinkedHashMap<>();
    instances.forEach((mode, list) -> copy.put(mode, new ArrayList<>(list)));
    return copy;
  }

  /** {@code epoll} or {@code nio}: the transport the sockets use. */
  public String transportName() {
    return runtime.transportName();
  }
}
