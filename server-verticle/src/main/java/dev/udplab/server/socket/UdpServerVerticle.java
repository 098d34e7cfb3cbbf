package dev.udplab.server.socket;

import dev.udplab.common.net.DatagramChannels;
import dev.udplab.server.console.ConsoleSampler;
import dev.udplab.server.guard.ReplyPolicy;
import dev.udplab.server.mode.Responder;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.io.PrintStream;
import java.util.Objects;

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
  private DatagramSocket socket;
  private ConsoleSampler sampler;
  private long consoleTimer = -1;
  private volatile BoundSocket bound;

  /**
   * @param policy   decides, per datagram with a reply, whether to answer; shared by the instances of a port
   * @param registry where the meters go
   * @param console  where sampled datagrams are printed
   */
  public UdpServerVerticle(SocketSettings settings, ReplyPolicy policy, MeterRegistry registry, PrintStream console) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.console = Objects.requireNonNull(console, "console");
  }

  @Override
  public Future<?> start() {
    String label = settings.mode().label();
    socket = vertx.createDatagramSocket(datagramOptions());
    DatagramChannel channel = DatagramChannels.channelOf(socket);
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
      channel.pipeline().addFirst(new DatagramReplier(responder, policy, metrics, sampler));
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

  @Override
  public Future<?> stop() {
    if (consoleTimer >= 0) {
      vertx.cancelTimer(consoleTimer);
      sampler.endSecond(console::println);
    }
    return socket.close();
  }

  /** Where the socket listens, what the kernel granted, and its meters; null until started. */
  public BoundSocket bound() {
    return bound;
  }
}
