package dev.udplab.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One server socket: binds a {@link DatagramSocket}, hands each datagram to the mode's {@link Responder},
 * asks the {@link ReplyPolicy} whether to answer, sends the reply and counts everything in
 * {@link ServerMetrics}. Console output goes through a {@link ConsoleSampler} flushed by a timer.
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
      bound.handler(this::handle);
      return bound;
    });
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

  private void handle(DatagramPacket packet) {
    long nowNanos = System.nanoTime();
    Buffer data = packet.data();
    byte[] request = data.getBytes();
    metrics.received(request.length);
    SocketAddress sender = packet.sender();
    // host() is the IP literal Vert.x computed once per packet; hostAddress() would format a new String per call.
    String senderHost = sender.host();
    int senderPort = sender.port();
    if (sampler != null) {
      sampler.record(senderHost, senderPort, request);
    }
    byte[] reply = responder.reply(request);
    if (reply == null) {
      return;
    }
    DropReason reason = policy.decide(senderHost, senderPort, request.length, reply.length, nowNanos);
    if (reason != null) {
      metrics.dropped(reason);
      return;
    }
    if (reply.length == 0) {
      sendEmpty(senderHost, senderPort);
      return;
    }
    int replyBytes = reply.length;
    socket.send(reply == request ? data : Buffer.buffer(reply), senderPort, senderHost).onComplete(sent -> {
      if (sent.succeeded()) {
        metrics.sent(replyBytes);
      } else {
        metrics.dropped(DropReason.SEND_FAILED);
      }
    });
  }

  private void sendEmpty(String senderHost, int senderPort) {
    try {
      DatagramChannels.sendEmpty(channel, new InetSocketAddress(InetAddress.getByName(senderHost), senderPort));
      metrics.sent(0);
    } catch (IOException e) {
      metrics.dropped(DropReason.SEND_FAILED);
    }
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

  /** The options this socket was started with. */
  public ServerOptions options() {
    return new ServerOptions(options);
  }
}
