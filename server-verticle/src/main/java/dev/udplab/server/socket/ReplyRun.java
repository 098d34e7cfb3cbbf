package dev.udplab.server.socket;

import dev.udplab.common.net.Datagrams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;

/**
 * Consecutive replies of one read batch that can leave as one UDP GSO write: same recipient, same non-zero size,
 * at most {@link #MAX_SEGMENTS} of them and {@link Datagrams#MAX_PAYLOAD_BYTES} in all (the kernel's limits for one
 * {@code UDP_SEGMENT} send). The kernel cuts such a write back into the separate datagrams at the segment size, so
 * the recipient sees exactly the replies it would have got one by one, in order. With {@code maxSegments} 1 every
 * reply is its own run (no GSO: NIO, or a kernel without {@code UDP_SEGMENT}). Event loop only.
 */
final class ReplyRun {
  /** Segments per GSO send: {@code UDP_MAX_SEGMENTS} of Linux before 6.9 (later kernels take 128). */
  static final int MAX_SEGMENTS = 64;

  private final ByteBuf[] replies;
  private int count;
  private int segmentBytes;
  private InetSocketAddress recipient;

  /** @param maxSegments replies per run, 1 to {@link #MAX_SEGMENTS} */
  ReplyRun(int maxSegments) {
    if (maxSegments < 1 || maxSegments > MAX_SEGMENTS) {
      throw new IllegalArgumentException("segments per run must be 1.." + MAX_SEGMENTS + ": " + maxSegments);
    }
    replies = new ByteBuf[maxSegments];
  }

  /** Whether {@code bytes} (more than 0) to {@code to} can join this run; always true for an empty run. */
  boolean accepts(InetSocketAddress to, int bytes) {
    return count == 0 || (count < replies.length && bytes == segmentBytes
        && (long) (count + 1) * bytes <= Datagrams.MAX_PAYLOAD_BYTES && to.equals(recipient));
  }

  /** Adds a reply that {@link #accepts} said may join; the run now owns {@code reply}. */
  void add(ByteBuf reply, InetSocketAddress to) {
    if (count == 0) {
      recipient = to;
      segmentBytes = reply.readableBytes();
    }
    replies[count++] = reply;
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** Replies in the run. */
  int segments() {
    return count;
  }

  /** The size of each reply in the run. */
  int segmentBytes() {
    return segmentBytes;
  }

  /**
   * The run as one message and empties it: a plain {@link DatagramPacket} for one reply, else the replies copied
   * back to back into one buffer from {@code alloc} as a {@link SegmentedDatagramPacket} (the copy releases them).
   */
  DatagramPacket take(ByteBufAllocator alloc) {
    DatagramPacket message;
    if (count == 1) {
      message = new DatagramPacket(replies[0], recipient);
    } else {
      ByteBuf joined = alloc.directBuffer(count * segmentBytes);
      for (int i = 0; i < count; i++) {
        joined.writeBytes(replies[i]);
        replies[i].release();
      }
      message = new SegmentedDatagramPacket(joined, segmentBytes, recipient);
    }
    for (int i = 0; i < count; i++) {
      replies[i] = null;
    }
    count = 0;
    recipient = null;
    return message;
  }
}
