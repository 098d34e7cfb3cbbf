package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.server.guard.DropReason;
import dev.udplab.server.guard.ReplyPolicy;
import dev.udplab.server.mode.Responders;
import dev.udplab.server.mode.ServerMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replier in an {@link EmbeddedChannel}: one {@code writeInbound} is one read batch, and what it writes is what
 * the socket would send. Checks how replies are grouped into GSO writes and that the counts stay exact.
 */
class DatagramReplierTest {
  private static final InetSocketAddress ALICE = new InetSocketAddress("127.0.0.1", 40001);
  private static final InetSocketAddress BOB = new InetSocketAddress("127.0.0.1", 40002);
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 20001);

  private final ServerMetrics metrics = new ServerMetrics(new SimpleMeterRegistry(), ServerMode.ECHO, 20001, null);

  private EmbeddedChannel channel(int gsoSegments, ChannelOutboundHandlerAdapter... before) {
    EmbeddedChannel channel = new EmbeddedChannel();
    for (ChannelOutboundHandlerAdapter handler : before) {
      channel.pipeline().addLast(handler);
    }
    channel.pipeline().addLast(new DatagramReplier(Responders.ECHO, ReplyPolicy.ANSWER_ALL, metrics, null,
        gsoSegments, null));
    return channel;
  }

  private static DatagramPacket datagram(InetSocketAddress from, int size, int tag) {
    ByteBuf content = Unpooled.directBuffer(size);
    for (int i = 0; i < size; i++) {
      content.writeByte(tag);
    }
    return new DatagramPacket(content, SERVER, from);
  }

  /** What the channel wrote, each message as (recipient, segment size, segments, first byte of each segment). */
  private static List<String> written(EmbeddedChannel channel) {
    List<String> writes = new ArrayList<>();
    for (Object message; (message = channel.readOutbound()) != null; ) {
      DatagramPacket packet = assertInstanceOf(DatagramPacket.class, message);
      ByteBuf content = packet.content();
      int segment = packet instanceof SegmentedDatagramPacket
          ? ((SegmentedDatagramPacket) packet).segmentSize() : content.readableBytes();
      StringBuilder tags = new StringBuilder();
      for (int at = content.readerIndex(); at < content.writerIndex(); at += segment) {
        tags.append(content.getByte(at));
      }
      writes.add(packet.recipient().getPort() + ":" + segment + "x" + content.readableBytes() / segment + ":" + tags);
      packet.release();
    }
    return writes;
  }

  @Test
  void equal_replies_to_one_sender_in_a_batch_leave_as_one_gso_write() {
    EmbeddedChannel channel = channel(ReplyRun.MAX_SEGMENTS);
    channel.writeInbound(datagram(ALICE, 64, 1), datagram(ALICE, 64, 2), datagram(ALICE, 64, 3));
    assertEquals(List.of("40001:64x3:123"), written(channel));
    assertEquals(3, metrics.receivedCount());
    assertEquals(3, metrics.sentCount());
    assertEquals(0, metrics.droppedCount());
  }

  @Test
  void a_size_change_and_a_second_sender_break_the_run_and_keep_the_order() {
    EmbeddedChannel channel = channel(ReplyRun.MAX_SEGMENTS);
    channel.writeInbound(datagram(ALICE, 64, 1), datagram(ALICE, 64, 2), datagram(ALICE, 100, 3),
        datagram(ALICE, 100, 4), datagram(BOB, 100, 5), datagram(ALICE, 100, 6));
    assertEquals(List.of("40001:64x2:12", "40001:100x2:34", "40002:100x1:5", "40001:100x1:6"), written(channel));
    assertEquals(6, metrics.sentCount());
  }

  @Test
  void a_run_ends_at_the_batch_and_at_the_segment_and_byte_limits() {
    EmbeddedChannel channel = channel(ReplyRun.MAX_SEGMENTS);
    DatagramPacket[] batch = new DatagramPacket[ReplyRun.MAX_SEGMENTS + 1];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = datagram(ALICE, 10, 7);
    }
    channel.writeInbound((Object[]) batch);
    channel.writeInbound(datagram(ALICE, 10, 8));
    List<String> writes = written(channel);
    assertEquals(3, writes.size(), writes.toString());
    assertTrue(writes.get(0).startsWith("40001:10x64:"), writes.toString());
    assertEquals(List.of("40001:10x1:7", "40001:10x1:8"), writes.subList(1, 3), "a new batch starts a new run");
    // 1024-byte replies: 63 fit in 65507 bytes, the 64th starts a new write
    EmbeddedChannel large = channel(ReplyRun.MAX_SEGMENTS);
    DatagramPacket[] kilobytes = new DatagramPacket[64];
    for (int i = 0; i < kilobytes.length; i++) {
      kilobytes[i] = datagram(ALICE, 1024, 1);
    }
    large.writeInbound((Object[]) kilobytes);
    List<String> big = written(large);
    assertEquals(2, big.size(), big.toString());
    assertTrue(big.get(0).startsWith("40001:1024x63:"), big.toString());
    assertEquals(65 + 1 + 64, metrics.sentCount());
  }

  @Test
  void without_gso_every_reply_is_its_own_write() {
    EmbeddedChannel channel = channel(1);
    channel.writeInbound(datagram(ALICE, 64, 1), datagram(ALICE, 64, 2));
    assertEquals(List.of("40001:64x1:1", "40001:64x1:2"), written(channel));
    assertEquals(2, metrics.sentCount());
  }

  @Test
  void a_refused_write_is_counted_send_failed_with_all_its_segments_and_the_rest_sent() {
    // fails the second write the socket is given, as the kernel does when it refuses a reply
    ChannelOutboundHandlerAdapter refuseSecond = new ChannelOutboundHandlerAdapter() {
      private int writes;

      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (++writes == 2) {
          ReferenceCountUtil.release(msg);
          promise.tryFailure(new IOException("sendmmsg(...) failed: Message too long"));
        } else {
          ctx.write(msg, promise);
        }
      }
    };
    EmbeddedChannel channel = channel(ReplyRun.MAX_SEGMENTS, refuseSecond);
    channel.writeInbound(datagram(ALICE, 64, 1), datagram(ALICE, 100, 2), datagram(ALICE, 100, 3),
        datagram(ALICE, 64, 4));
    assertEquals(List.of("40001:64x1:1", "40001:64x1:4"), written(channel));
    assertEquals(4, metrics.receivedCount());
    assertEquals(2, metrics.sentCount());
    assertEquals(2, metrics.droppedCount(DropReason.SEND_FAILED), "both datagrams of the refused GSO write");
    assertEquals(4, metrics.sentCount() + metrics.droppedCount());
  }

  @Test
  void writes_still_queued_when_the_channel_closes_are_counted_send_failed() {
    EmbeddedChannel channel = channel(ReplyRun.MAX_SEGMENTS, new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        // the socket is full: nothing leaves until the close
      }
    });
    channel.writeInbound(datagram(ALICE, 64, 1), datagram(BOB, 64, 2));
    assertEquals(0, metrics.sentCount());
    assertFalse(channel.finish());
    assertEquals(2, metrics.droppedCount(DropReason.SEND_FAILED));
    assertNull(channel.readOutbound());
  }

  @Test
  void a_replier_for_some_senders_passes_the_others_on_and_counts_only_its_own() {
    ServerMetrics warm = new ServerMetrics(new SimpleMeterRegistry(), ServerMode.ECHO, 20001, null);
    EmbeddedChannel channel = channel(ReplyRun.MAX_SEGMENTS);
    channel.pipeline().addFirst(new DatagramReplier(Responders.ECHO, ReplyPolicy.ANSWER_ALL, warm, null,
        ReplyRun.MAX_SEGMENTS, Set.of(BOB)));
    channel.writeInbound(datagram(ALICE, 64, 1), datagram(BOB, 64, 2), datagram(BOB, 64, 3), datagram(ALICE, 64, 4));
    assertEquals(List.of("40002:64x2:23", "40001:64x2:14"), written(channel));
    assertEquals(2, warm.receivedCount());
    assertEquals(2, warm.sentCount());
    assertEquals(2, metrics.receivedCount());
    assertEquals(2, metrics.sentCount());
  }
}
