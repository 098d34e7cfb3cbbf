package dev.udplab.server.socket;

import dev.udplab.common.net.DatagramChannels;
import dev.udplab.server.console.ConsoleSampler;
import dev.udplab.server.guard.DropReason;
import dev.udplab.server.guard.ReplyPolicy;
import dev.udplab.server.mode.Responder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;

/**
 * The per-datagram path of one server socket, as the first handler of its Netty pipeline: count, ask the
 * {@link Responder} and the {@link ReplyPolicy}, write the reply, and flush once per read batch.
 *
 * <p>Why not Vert.x's {@code DatagramSocket.handler}/{@code send}: per datagram that path copied the payload
 * twice, resolved the sender's IP literal again for the reply, and flushed each reply on its own (one
 * {@code sendto} per datagram where Netty's epoll transport sends a flushed batch with one {@code sendmmsg}).
 * Vert.x's own {@code vertx_datagram_*} meters are fed through {@link ServerMetrics}, so they keep counting.
 *
 * <p>In steady state nothing here allocates per datagram: the reply goes to the sender address Netty read, every
 * write carries the socket's one counting {@link ReplyOutcomes} promise instead of a promise and a listener, the
 * clock is read once per batch, and the {@code udp_server_*} meters are updated once per batch. With GSO,
 * consecutive equal-size replies to one sender within a batch leave as one {@link ReplyRun}.
 * Runs on the socket's event loop only; Netty passes anything that is not a datagram on, and releases each datagram
 * after {@link #channelRead0} (an echo retains its content for the reply).
 */
final class DatagramReplier extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final DropReason[] REASONS = DropReason.values();

  private final Responder responder;
  private final ReplyPolicy policy;
  private final ServerMetrics metrics;
  private final ConsoleSampler sampler;
  private final Set<InetSocketAddress> onlyFrom;
  private final ReplyRun run;
  private ReplyOutcomes outcomes;
  private boolean inBatch;
  private long batchNanos;
  private long batchDatagrams;
  private long batchBytes;
  private final long[] batchDropped = new long[REASONS.length];

  /**
   * Checks its collaborators here, so that a wiring mistake fails the start instead of every datagram.
   *
   * @param sampler     where datagrams are shown on the console, or null when quiet
   * @param gsoSegments replies one write may carry (1: no GSO), see {@link ReplyRun}
   * @param onlyFrom    the only senders this replier takes (others go on down the pipeline), or null for all
   */
  DatagramReplier(Responder responder, ReplyPolicy policy, ServerMetrics metrics, ConsoleSampler sampler,
      int gsoSegments, Set<InetSocketAddress> onlyFrom) {
    this.responder = Objects.requireNonNull(responder, "responder");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.sampler = sampler;
    this.onlyFrom = onlyFrom;
    this.run = new ReplyRun(gsoSegments);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    outcomes = new ReplyOutcomes(ctx.channel(), metrics);
  }

  @Override
  public boolean acceptInboundMessage(Object msg) throws Exception {
    return super.acceptInboundMessage(msg)
        && (onlyFrom == null || onlyFrom.contains(((DatagramPacket) msg).sender()));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    if (!inBatch) {
      inBatch = true;
      batchNanos = System.nanoTime();
      outcomes.openBatch();
    }
    ByteBuf content = packet.content();
    int requestBytes = content.readableBytes();
    batchDatagrams++;
    batchBytes += requestBytes;
    metrics.vertxRead(requestBytes);
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
    DropReason reason = policy.decide(sender, content, replyBytes, batchNanos);
    if (reason != null) {
      reply.release();
      batchDropped[reason.ordinal()]++;
      return;
    }
    if (replyBytes == 0) {
      reply.release();
      sendEmpty(ctx, sender);
      return;
    }
    if (!run.accepts(sender, replyBytes)) {
      writeRun(ctx);
    }
    run.add(reply, sender);
  }

  private void writeRun(ChannelHandlerContext ctx) {
    if (!run.isEmpty()) {
      int segments = run.segments();
      int segmentBytes = run.segmentBytes();
      outcomes.write(ctx, run.take(ctx.alloc()), segments, segmentBytes);
    }
  }

  private void sendEmpty(ChannelHandlerContext ctx, InetSocketAddress sender) {
    // The empty datagram bypasses the outbound buffer: send what is queued first, to keep replies in order.
    writeRun(ctx);
    ctx.flush();
    try {
      DatagramChannels.sendEmpty((DatagramChannel) ctx.channel(), sender);
      outcomes.sentDirectly(0);
    } catch (IOException e) {
      outcomes.failedDirectly();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    writeRun(ctx);
    ctx.flush();
    if (inBatch) {
      inBatch = false;
      metrics.received(batchDatagrams, batchBytes);
      batchDatagrams = 0;
      batchBytes = 0;
      for (DropReason reason : REASONS) {
        if (batchDropped[reason.ordinal()] != 0) {
          metrics.dropped(reason, batchDropped[reason.ordinal()]);
          batchDropped[reason.ordinal()] = 0;
        }
      }
      outcomes.publish();
    }
    ctx.fireChannelReadComplete();
  }
}
