package dev.udplab.server.socket;

import dev.udplab.common.net.DatagramChannels;
import dev.udplab.server.console.ConsoleSampler;
import dev.udplab.server.guard.DropReason;
import dev.udplab.server.guard.ReplyPolicy;
import dev.udplab.server.mode.Responder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The per-datagram path of one server socket, as the first handler of its Netty pipeline: count, ask the
 * {@link Responder} and the {@link ReplyPolicy}, write the reply, and flush once per read batch.
 *
 * <p>Why not Vert.x's {@code DatagramSocket.handler}/{@code send}: per datagram that path copied the payload
 * twice, resolved the sender's IP literal again for the reply, and flushed each reply on its own (one
 * {@code sendto} per datagram where Netty's epoll transport sends a flushed batch with one {@code sendmmsg}).
 * Vert.x's own {@code vertx_datagram_*} meters are fed through {@link ServerMetrics}, so they keep counting.
 * Runs on the socket's event loop only; Netty passes anything that is not a datagram on, and releases each datagram
 * after {@link #channelRead0} (an echo retains its content for the reply).
 */
final class DatagramReplier extends SimpleChannelInboundHandler<DatagramPacket> {
  private final Responder responder;
  private final ReplyPolicy policy;
  private final ServerMetrics metrics;
  private final ConsoleSampler sampler;

  /**
   * Checks its collaborators here, so that a wiring mistake fails the start instead of every datagram.
   *
   * @param sampler where datagrams are shown on the console, or null when quiet
   */
  DatagramReplier(Responder responder, ReplyPolicy policy, ServerMetrics metrics, ConsoleSampler sampler) {
    this.responder = Objects.requireNonNull(responder, "responder");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.sampler = sampler;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    long nowNanos = System.nanoTime();
    ByteBuf content = packet.content();
    int requestBytes = content.readableBytes();
    metrics.received(requestBytes);
    InetSocketAddress sender = packet.sender();
    if (sampler != null) {
      // the bytes are copied only for the few datagrams the console shows
      sampler.record(sender, sampler.showsNext() ? ByteBufUtil.getBytes(content) : null);
    }
    ByteBuf reply = responder.reply(content, ctx.alloc());
    if (reply == null) {
      return;
    }
    int replyBytes = reply.readableBytes();
    DropReason reason = policy.decide(sender, content, replyBytes, nowNanos);
    if (reason != null) {
      reply.release();
      metrics.dropped(reason);
      return;
    }
    if (replyBytes == 0) {
      reply.release();
      sendEmpty(ctx, sender);
      return;
    }
    ctx.write(new DatagramPacket(reply, sender)).addListener((ChannelFutureListener) written -> {
      if (written.isSuccess()) {
        metrics.sent(replyBytes);
      } else {
        metrics.dropped(DropReason.SEND_FAILED);
      }
    });
  }

  private void sendEmpty(ChannelHandlerContext ctx, InetSocketAddress sender) {
    // The empty datagram bypasses the outbound buffer: send what is queued first, to keep replies in order.
    ctx.flush();
    try {
      DatagramChannels.sendEmpty((DatagramChannel) ctx.channel(), sender);
      metrics.sent(0);
    } catch (IOException e) {
      metrics.dropped(DropReason.SEND_FAILED);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }
}
