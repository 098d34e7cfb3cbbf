package dev.udplab.client.flood;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The reply path of one flood socket, as the first handler of its Netty pipeline: each datagram goes to the
 * {@link Replies} straight from Netty's read buffer, without the copy, the sender's address text and the
 * {@code SocketAddress} Vert.x's {@code DatagramSocket.handler} makes per datagram. Vert.x's own
 * {@code vertx_datagram_bytes_read} meter is fed here, so it keeps counting. Runs on the socket's event loop only;
 * Netty passes anything that is not a datagram on, and releases each datagram after {@link #channelRead0}.
 */
final class FloodReplyReader extends SimpleChannelInboundHandler<DatagramPacket> {

  /** Where the replies go. */
  interface Replies {
    /** A datagram from {@code sender}; {@code content} is valid only during the call. */
    void received(InetSocketAddress sender, ByteBuf content, long nowNanos);
  }

  private final Replies replies;
  private final Consumer<Throwable> errors;
  private final DatagramSocketMetrics vertxMetrics;
  /** When this read batch was taken from the socket, or -1 between batches. */
  private long batchNanos = -1;

  /**
   * @param errors       gets what the channel reports instead of a datagram (an ICMP port unreachable on a connected
   *                     socket, say): the flood names it once, after the run
   * @param vertxMetrics Vert.x's meters of this socket, or null when Vert.x metrics are off
   */
  FloodReplyReader(Replies replies, Consumer<Throwable> errors, DatagramSocketMetrics vertxMetrics) {
    this.replies = replies;
    this.errors = errors;
    this.vertxMetrics = vertxMetrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    ByteBuf content = packet.content();
    if (vertxMetrics != null) {
      vertxMetrics.bytesRead(null, null, content.readableBytes());
    }
    // the clock once per read batch: every datagram of a batch was in the socket when the batch was read
    if (batchNanos < 0) {
      batchNanos = System.nanoTime();
    }
    replies.received(packet.sender(), content, batchNanos);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    batchNanos = -1;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // not passed on: Vert.x would log it per datagram; the count shows the loss and the flood names the cause
    errors.accept(cause);
  }
}
