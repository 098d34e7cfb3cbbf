package dev.udplab.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import java.net.InetSocketAddress;

/**
 * The reply path of one flood socket, as the first handler of its Netty pipeline: each datagram goes to the
 * {@link Replies} straight from Netty's read buffer, without the copy, the sender's address text and the
 * {@code SocketAddress} Vert.x's {@code DatagramSocket.handler} makes per datagram. Vert.x's own
 * {@code vertx_datagram_bytes_read} meter is fed here, so it keeps counting. Runs on the socket's event loop only.
 */
final class FloodReplyReader extends ChannelInboundHandlerAdapter {

  /** Where the replies go. */
  interface Replies {
    /** A datagram from {@code sender}; {@code content} is valid only during the call. */
    void received(InetSocketAddress sender, ByteBuf content, long nowNanos);
  }

  private final Replies replies;
  private final DatagramSocketMetrics vertxMetrics;

  /** @param vertxMetrics Vert.x's meters of this socket, or null when Vert.x metrics are off */
  FloodReplyReader(Replies replies, DatagramSocketMetrics vertxMetrics) {
    this.replies = replies;
    this.vertxMetrics = vertxMetrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof DatagramPacket)) {
      ctx.fireChannelRead(msg);
      return;
    }
    DatagramPacket packet = (DatagramPacket) msg;
    try {
      ByteBuf content = packet.content();
      if (vertxMetrics != null) {
        vertxMetrics.bytesRead(null, null, content.readableBytes());
      }
      replies.received(packet.sender(), content, System.nanoTime());
    } finally {
      packet.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP errors and the like: the datagram is simply not answered, the count shows it
  }
}
