package dev.udplab.server.socket;

import dev.udplab.common.net.DatagramChannels;
import dev.udplab.server.console.ConsoleSampler;
import dev.udplab.server.guard.ReplyPolicy;
import dev.udplab.server.mode.Responder;
import dev.udplab.common.runtime.ProcessProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;

/**
 * One server socket: binds a {@link DatagramSocket} and puts a {@link DatagramReplier} first on its channel, which
 * hands each datagram to the mode's {@link Responder} (this verticle's own), asks the {@link ReplyPolicy} whether to
 * answer, sends the reply and counts everything in {@link ServerMetrics}. Console output goes through a
 * {@link ConsoleSampler} flushed by a timer.
 */
public final class UdpServerVerticle extends VerticleBase {
  /** Datagrams printed in full per second and per socket; the rest are folded into a summary line. */
  public static final int CONSOLE_LINES_PER_SECOND = 5;

  private final SocketSettings settings;
  private final ReplyPolicy policy;
  private final MeterRegistry registry;
  private final PrintStream console;
  private final boolean warmUpFirst;
  private DatagramSocket socket;
  private DatagramChannel channel;
  private int gsoSegments;
  private DatagramReplier warmReplier;
  private EventLoopLag lag;
  private ConsoleSampler sampler;
  private long consoleTimer = -1;
  private volatile BoundSocket bound;

  /**
   * @param policy   decides, per datagram with a reply, whether to answer; shared by the instances of a port
   * @param registry where the meters go
   * @param console  where sampled datagrams are printed
   */
  public UdpServerVerticle(SocketSettings settings, ReplyPolicy policy, MeterRegistry registry, PrintStream console) {
    this(settings, policy, registry, console, false);
  }

  /**
   * @param warmUpFirst a {@link #beginWarmUp warm-up} follows the start: the event-loop lag meter starts when it
   *                    ends, so that the meter shows what the socket's users could meet
   */
  public UdpServerVerticle(SocketSettings settings, ReplyPolicy policy, MeterRegistry registry, PrintStream console,
      boolean warmUpFirst) {
    this.warmUpFirst = warmUpFirst;
    this.settings = Objects.requireNonNull(settings, "settings");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.console = Objects.requireNonNull(console, "console");
  }

  @Override
  public Future<?> start() {
    String label = settings.mode().label();
    socket = vertx.createDatagramSocket(datagramOptions());
    channel = DatagramChannels.channelOf(socket);
    DatagramChannels.readWholeDatagramsInBatches(channel);
    socket.exceptionHandler(error -> console.println(label + " socket error: " + error));
    return socket.listen(settings.port(), settings.host()).map(listening -> {
      ServerMetrics metrics = new ServerMetrics(registry, settings.mode(), listening.localAddress().port(),
          DatagramChannels.vertxMetricsOf(socket));
      // Read back after bind: Linux doubles the request and caps it at net.core.[rw]mem_max.
      bound = new BoundSocket(listening.localAddress(), DatagramChannels.grantedReceiveBuffer(channel),
          DatagramChannels.grantedSendBuffer(channel), metrics);
      metrics.grantedBuffers(bound.receiveBufferBytes(), bound.sendBufferBytes());
      if (!settings.quiet()) {
        sampler = new ConsoleSampler(label, CONSOLE_LINES_PER_SECOND);
        consoleTimer = vertx.setPeriodic(ConsoleSampler.TICK_MILLIS, id -> sampler.tick(console::println));
      }
      // Datagrams never reach Vert.x's handler: DatagramReplier, first in the pipeline, answers and counts them.
      Responder responder = settings.mode().newResponder(settings.greeting());
      gsoSegments = DatagramChannels.segmentedWritesSupported(channel) && ProcessProperties.serverGso()
          ? ReplyRun.MAX_SEGMENTS : 1;
      channel.pipeline().addFirst(new DatagramReplier(responder, policy, metrics, sampler, gsoSegments, null));
      if (!warmUpFirst) {
        startLagMeter();
      }
      return listening;
    });
  }

  private DatagramSocketOptions datagramOptions() {
    DatagramSocketOptions options = new DatagramSocketOptions()
        .setReuseAddress(false)
        .setReusePort(settings.reusePort())
        .setIpV6(settings.host().contains(":"));
    if (settings.receiveBufferBytes() != null) {
      options.setReceiveBufferSize(settings.receiveBufferBytes());
    }
    if (settings.sendBufferBytes() != null) {
      options.setSendBufferSize(settings.sendBufferBytes());
    }
    return options;
  }

  private void startLagMeter() {
    lag = new EventLoopLag(bound.metrics().eventLoopLag(), System::nanoTime, channel.eventLoop());
    LagTicker.add(lag);
  }

  /**
   * Puts a second replier of the same class in front of the real one, on the event loop: it takes only the
   * datagrams from {@code sources} and counts them into {@code warmUpMetrics}, private meters of the same classes,
   * so that the JIT compiles the real path for the real types while no {@code udp_server_*} or
   * {@code vertx_datagram_*} meter sees a warm-up datagram. Every other sender goes on to the real replier, so a
   * client that comes early is answered and counted.
   */
  public Future<Void> beginWarmUp(Set<InetSocketAddress> sources, ServerMetrics warmUpMetrics, ReplyPolicy warmUpPolicy) {
    ConsoleSampler warmSampler = sampler == null ? null : new ConsoleSampler(settings.mode().label(), CONSOLE_LINES_PER_SECOND);
    DatagramReplier replier = new DatagramReplier(settings.mode().newResponder(settings.greeting()), warmUpPolicy,
        warmUpMetrics, warmSampler, gsoSegments, sources);
    Promise<Void> added = Promise.promise();
    channel.eventLoop().execute(() -> {
      warmReplier = replier;
      channel.pipeline().addFirst(replier);
      added.complete();
    });
    return added.future();
  }

  /** Removes the warm-up replier (on the event loop, between datagrams) and starts the event-loop lag meter. */
  public Future<Void> endWarmUp() {
    Promise<Void> removed = Promise.promise();
    channel.eventLoop().execute(() -> {
      if (warmReplier != null) {
        channel.pipeline().remove(warmReplier);
        warmReplier = null;
      }
      if (lag == null) {
        startLagMeter();
      }
      removed.complete();
    });
    return removed.future();
  }

  @Override
  public Future<?> stop() {
    if (lag != null) {
      LagTicker.remove(lag);
    }
    if (consoleTimer >= 0) {
      vertx.cancelTimer(consoleTimer);
      sampler.endSecond(console::println);
    }
    return socket.close();
  }

  /** The Netty channel under the socket, for tests that hold its reads. */
  DatagramChannel channel() {
    return channel;
  }

  /** What this socket was started with. */
  public SocketSettings settings() {
    return settings;
  }

  /** Where the socket listens, what the kernel granted, and its meters; null until started. */
  public BoundSocket bound() {
    return bound;
  }
}
