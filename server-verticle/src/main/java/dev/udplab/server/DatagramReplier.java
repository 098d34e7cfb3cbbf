package dev.udplab.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The per-datagram path of one server socket, as the first handler of its Netty pipeline: count, ask the
 * {@link Responder} and the {@link ReplyPolicy}, write the reply, and flush once per read batch.
 *
 * <p>Why not Vert.x's {@code DatagramSocket.handler}/{@code send}: per datagram that path copied the payload
 * twice, resolved the sender's IP literal again for the reply, and flushed each reply on its own (one
 * {@code sendto} per datagram where Netty's epoll transport sends a flushed batch with one {@code sendmmsg}).
 * Vert.x's own {@code vertx_datagram_*} meters are fed here, so they keep counting.
 * Runs on the socket's event loop only; Netty passes anything that is not a datagram on, and releases each datagram
 * after {@link #channelRead0} (an echo retains its content for the reply).
 */
final class DatagramReplier extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final VarHandle RECEIVED_HERE;

  static {
    try {
      RECEIVED_HERE = MethodHandles.lookup().findVarHandle(DatagramReplier.class, "receivedHere", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Responder responder;
  private final boolean echo;
  private final ReplyPolicy policy;
  private final ServerMetrics metrics;
  private final DatagramSocketMetrics vertxMetrics;
  private final ConsoleSampler sampler;
  private InetAddress lastAddress;
  private String lastHost;
  // this socket's own count; the meters are shared by every instance on the port
  private long receivedHere;

  /**
   * @param vertxMetrics Vert.x's meters of this socket, or null when Vert.x metrics are off
   * @param sampler where datagrams are shown on the console, or null when quiet
   */
  DatagramReplier(Responder responder, ReplyPolicy policy, ServerMetrics metrics, DatagramSocketMetrics vertxMetrics,
      ConsoleSampler sampler) {
    this.responder = responder;
    this.echo = responder instanceof EchoResponder;
    this.policy = policy;
    this.metrics = metrics;
    this.vertxMetrics = vertxMetrics;
    this.sampler = sampler;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    long nowNanos = System.nanoTime();
    ByteBuf content = packet.content();
    int requestBytes = content.readableBytes();
    metrics.received(requestBytes);
    // one writer (this event loop), readers anywhere: an opaque store is enough, and costs no fence per datagram
    RECEIVED_HERE.setOpaque(this, receivedHere + 1);
    if (vertxMetrics != null) {
      vertxMetrics.bytesRead(null, null, requestBytes);
    }
    InetSocketAddress sender = packet.sender();
    String senderHost = hostOf(sender.getAddress());
    int senderPort = sender.getPort();
    // An echo never needs the bytes as an array, unless the console is about to show them.
    byte[] request = echo && (sampler == null || !sampler.showsNext()) ? null : ByteBufUtil.getBytes(content);
    if (sampler != null) {
      sampler.record(senderHost, senderPort, request);
    }
    byte[] reply = echo ? request : responder.reply(request);
    int replyBytes = echo ? requestBytes : reply == null ? -1 : reply.length;
    if (replyBytes < 0) {
      return;
    }
    DropReason reason = policy.decide(senderHost, senderPort, requestBytes, replyBytes, nowNanos);
    if (reason != null) {
      metrics.dropped(reason);
      return;
    }
    if (replyBytes == 0) {
      sendEmpty(ctx, sender);
      return;
    }
    ByteBuf out = echo ? content.retain() : Unpooled.wrappedBuffer(reply);
    ctx.write(new DatagramPacket(out, sender)).addListener((ChannelFutureListener) written -> {
      if (written.isSuccess()) {
        metrics.sent(replyBytes);
        if (vertxMetrics != null) {
          vertxMetrics.bytesWritten(null, null, replyBytes);
        }
      } else {
        metrics.dropped(DropReason.SEND_FAILED);
      }
    });
  }

  private void sendEmpty(ChannelHandlerContext ctx, InetSocketAddress sender) {
    // The empty datagram bypasses the outbound buffer: send what is queued first, to keep replies in order.
    ctx.flush();
    try {
      DatagramChannels.sendEmpty((io.netty.channel.socket.DatagramChannel) ctx.channel(), sender);
      metrics.sent(0);
      if (vertxMetrics != null) {
        vertxMetrics.bytesWritten(null, null, 0);
      }
    } catch (IOException e) {
      metrics.dropped(DropReason.SEND_FAILED);
    }
  }

  /** The sender's IP as text; a flood comes from one address, so its text is made once, not per datagram. */
  private String hostOf(InetAddress address) {
    if (!address.equals(lastAddress)) {
      lastAddress = address;
      lastHost = address.getHostAddress();
    }
    return lastHost;
  }

  /** Datagrams this socket received (written on its event loop only, readable from any thread). */
  long receivedHere() {
    return (long) RECEIVED_HERE.getOpaque(this);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }
}
