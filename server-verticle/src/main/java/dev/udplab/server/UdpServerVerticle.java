package dev.udplab.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.MetricsProvider;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.PrintStream;

/**
 * One server socket: binds a {@link DatagramSocket} and puts a {@link DatagramReplier} on its channel, which
 * hands each datagram to the mode's {@link Responder}, asks the {@link ReplyPolicy} whether to answer, sends
 * the reply and counts everything in {@link ServerMetrics}. Console output goes through a
 * {@link ConsoleSampler} flushed by a timer.
 */
public final class UdpServerVerticle extends VerticleBase {
  /** Datagrams printed in full per second and per socket; the rest are folded into a summary line. */
  public static final int CONSOLE_LINES_PER_SECOND = 5;

  private final ServerOptions options;
  private final MeterRegistry configuredRegistry;
  private final PrintStream console;
  private final ReplyPolicy policy;
  private Responder responder;
  private DatagramSocket socket;
  private DatagramChannel channel;
  private DatagramReplier replier;
  private ServerMetrics metrics;
  private ConsoleSampler sampler;
  private long consoleTimer = -1;
  private int grantedReceiveBuffer;
  private int grantedSendBuffer;

  /** A socket answering everything, counting into the Vert.x default registry, printing to stdout. */
  public UdpServerVerticle(ServerOptions options) {
    this(options, null, System.out, ReplyPolicy.forOptions(options));
  }

  /**
   * @param options a single-socket mode (not {@link Mode#ALL}) and where to bind
   * @param registry where the meters go; {@code null} for the Vert.x default registry, or a private one
   * @param console where sampled datagrams are printed
   * @param policy decides, per datagram with a reply, whether to answer
   */
  public UdpServerVerticle(ServerOptions options, MeterRegistry registry, PrintStream console, ReplyPolicy policy) {
    if (options.getMode() == Mode.ALL) {
      throw new IllegalArgumentException("one verticle serves one mode; deploy one per mode for 'all'");
    }
    this.options = new ServerOptions(options);
    this.configuredRegistry = registry;
    this.console = console;
    this.policy = policy;
  }

  @Override
  public Future<?> start() {
    Mode mode = options.getMode();
    responder = Responder.forMode(mode, options);
    socket = vertx.createDatagramSocket(datagramOptions());
    channel = DatagramChannels.channelOf(socket);
    DatagramChannels.receiveWholeDatagrams(channel);
    socket.exceptionHandler(error -> console.println(mode.label() + " socket error: " + error));
    return socket.listen(options.resolvedPort(mode), options.getHost()).map(bound -> {
      // Read back after bind: Linux doubles the request and caps it at net.core.[rw]mem_max.
      grantedReceiveBuffer = DatagramChannels.grantedReceiveBuffer(channel);
      grantedSendBuffer = DatagramChannels.grantedSendBuffer(channel);
      metrics = new ServerMetrics(registry(), mode, bound.localAddress().port());
      metrics.grantedBuffers(grantedReceiveBuffer, grantedSendBuffer);
      if (!options.isQuiet()) {
        sampler = new ConsoleSampler(mode.label(), CONSOLE_LINES_PER_SECOND);
        consoleTimer = vertx.setPeriodic(ConsoleSampler.TICK_MILLIS, id -> sampler.tick(console::println));
      }
      // Datagrams never reach Vert.x's handler: DatagramReplier, first in the pipeline, answers and counts them.
      replier = new DatagramReplier(responder, policy, metrics, vertxMetrics(), sampler);
      channel.pipeline().addFirst(replier);
      return bound;
    });
  }

  private DatagramSocketMetrics vertxMetrics() {
    Object provided = socket instanceof MetricsProvider ? ((MetricsProvider) socket).getMetrics() : null;
    return provided instanceof DatagramSocketMetrics ? (DatagramSocketMetrics) provided : null;
  }

  private DatagramSocketOptions datagramOptions() {
    DatagramSocketOptions socketOptions = new DatagramSocketOptions()
        .setReuseAddress(false)
        .setReusePort(options.getInstances() > 1)
        .setIpV6(options.getHost().contains(":"));
    if (options.getReceiveBufferSize() > 0) {
      socketOptions.setReceiveBufferSize(options.getReceiveBufferSize());
    }
    if (options.getSendBufferSize() > 0) {
      socketOptions.setSendBufferSize(options.getSendBufferSize());
    }
    return socketOptions;
  }

  private MeterRegistry registry() {
    if (configuredRegistry != null) {
      return configuredRegistry;
    }
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    return shared != null ? shared : new SimpleMeterRegistry();
  }

  @Override
  public Future<?> stop() {
    if (consoleTimer >= 0) {
      vertx.cancelTimer(consoleTimer);
      sampler.endSecond(console::println);
    }
    return socket.close();
  }

  /** The bound address; valid once started. */
  public SocketAddress localAddress() {
    return socket.localAddress();
  }

  /** SO_RCVBUF as the kernel granted it, read back from the socket after bind. */
  public int grantedReceiveBuffer() {
    return grantedReceiveBuffer;
  }

  /** SO_SNDBUF as the kernel granted it, read back from the socket after bind. */
  public int grantedSendBuffer() {
    return grantedSendBuffer;
  }

  /** This socket's meters; valid once started. Instances on one port share the same meters. */
  public ServerMetrics metrics() {
    return metrics;
  }

  /**
   * Datagrams this socket received, where {@link #metrics()} counts every instance on the port: how the kernel
   * spread the flows over {@code --instances}.
   */
  public long receivedHere() {
    return replier == null ? 0 : replier.receivedHere();
  }

  /** The options this socket was started with. */
  public ServerOptions options() {
    return new ServerOptions(options);
  }
}
