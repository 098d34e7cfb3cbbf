package dev.udplab.server.guard;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * Breaks reply loops with servers in other processes or on other hosts, which {@link OwnSockets} cannot see: one
 * spoofed datagram whose source is another echo, greeting or uppercase server (ours or anyone's) makes the two answer
 * each other for ever. Not thread-safe: one detector per socket, on its event loop (SO_REUSEPORT keeps a flow on one
 * socket).
 * <p>
 * <b>The rule.</b> Within a few rounds every such loop turns periodic with a fixed datagram each way: echo and echo
 * bounce the spoofed bytes, greeting and greeting their two greetings, uppercase reaches its fixed point after one
 * round ({@code upper(upper(x)) = upper(x)}), and every mixed pair settles the same way. So a source (address and
 * port) that answers our reply to it with exactly the bytes it sent before, within {@link #WINDOW_NANOS} of that
 * reply, is repeating itself; its third ({@value #LOOP_REPEATS}) repeat in a row is not answered, and the loop ends
 * there, because the other side only ever sends when we do. Between two udplab servers one spoofed datagram so
 * yields 6 to 8 replies in all (both servers together), whatever the pair of modes; k spoofed datagrams in flight at
 * once end one by one, at most 8 k replies.
 * <p>
 * <b>What it does to clients.</b> A client whose datagrams change (a flood's sequence numbers, the lab's
 * {@code seq 1 20 | udp-client send}, any protocol with a counter, id or timestamp) never repeats and is never
 * dropped. A client that sends the same datagram more slowly than once per {@link #WINDOW_NANOS} after each reply (a
 * person with {@code nc}, a pinger at 1 per second) is never dropped either. A client that answers each reply at
 * once with the same bytes as before ({@code udp-client send ping ping ping ping}, a constant-payload ping-pong
 * tool) is, from here, indistinguishable from a second echo server: every fourth datagram of such a run goes
 * unanswered (a quarter of its round trips), and it goes on after its timeout.
 * <p>
 * <b>Cost.</b> Per datagram: one slot of a direct-mapped table of recent sources ({@value #SLOTS} of them, about 34
 * KB per socket, nothing allocated), and a hash of the datagram's length and at most its first and last
 * {@value #SAMPLE_BYTES} bytes. Only when that matches the source's previous datagram is the whole datagram hashed
 * (to tell "the same bytes" from "the same header and trailer"), which a changing flood never reaches. A source that
 * has started to repeat keeps its slot against other sources while its window lasts, so other traffic cannot evict
 * a loop before it is caught.
 */
public final class LoopDetector {

  /** A source's repeats in a row that are answered; the next one is dropped (reason {@code loop}). */
  public static final int LOOP_REPEATS = 3;
  /**
   * How soon after our reply a datagram must come to count as a repeat: longer than the round trip of any terrestrial
   * path (so loops between distant hosts are caught), shorter than a person or a 1 Hz pinger repeating a message.
   */
  public static final long WINDOW_NANOS = 500_000_000L;
  /** Sources tracked at once per socket (a power of two). */
  static final int SLOTS = 1024;
  /** Bytes from each end of a datagram that the cheap comparison hashes. */
  static final int SAMPLE_BYTES = 32;

  private static final long NEVER = Long.MIN_VALUE;
  private static final long IPV4_KEY = 1L << 62;
  private static final long IPV6_KEY = 1L << 63;

  private final long[] keys = new long[SLOTS];
  private final long[] samples = new long[SLOTS];
  private final long[] contents = new long[SLOTS];
  private final boolean[] contentKnown = new boolean[SLOTS];
  private final long[] answeredNanos = new long[SLOTS];
  private final int[] repeats = new int[SLOTS];
  // the slot of the datagram being decided, for answered(); -1 when it was not tracked
  private int current = -1;

  /**
   * Records one datagram that would be answered and says whether it is the repeat that ends a loop. Call
   * {@link #answered} when it is then answered after all.
   *
   * @param source  where it came from
   * @param request its bytes, read without moving the indices
   * @return true to drop it (reason {@link DropReason#LOOP})
   */
  public boolean endsLoop(InetSocketAddress source, ByteBuf request, long nowNanos) {
    long key = keyOf(source);
    int slot = slotOf(key);
    long sample = sampleOf(request);
    if (keys[slot] != key) {
      if (keys[slot] != 0 && repeats[slot] > 0 && answeredNanos[slot] != NEVER
          && nowNanos - answeredNanos[slot] <= WINDOW_NANOS) {
        current = -1; // a source that has begun to repeat keeps its slot while its window lasts
        return false;
      }
      keys[slot] = key;
      samples[slot] = sample;
      contentKnown[slot] = false;
      answeredNanos[slot] = NEVER;
      repeats[slot] = 0;
      current = slot;
      return false;
    }
    current = slot;
    boolean inWindow = answeredNanos[slot] != NEVER && nowNanos - answeredNanos[slot] <= WINDOW_NANOS;
    answeredNanos[slot] = NEVER; // until answered() says otherwise
    if (!(inWindow && sameBytes(slot, sample, request))) {
      repeats[slot] = 0;
      return false;
    }
    if (++repeats[slot] < LOOP_REPEATS) {
      return false;
    }
    repeats[slot] = 0;
    current = -1;
    return true;
  }

  /** The datagram last given to {@link #endsLoop} was answered (at its receipt time {@code nowNanos}). */
  public void answered(long nowNanos) {
    if (current >= 0) {
      answeredNanos[current] = nowNanos;
    }
  }

  /** Whether {@code request} has the bytes of the slot's previous datagram; remembers its own either way. */
  private boolean sameBytes(int slot, long sample, ByteBuf request) {
    if (samples[slot] != sample) {
      samples[slot] = sample;
      contentKnown[slot] = false;
      return false;
    }
    int length = request.readableBytes();
    if (length <= 2 * SAMPLE_BYTES) {
      return true; // the sample is the whole datagram
    }
    long content = hash(request, request.readerIndex(), request.readerIndex() + length, length);
    boolean same = contentKnown[slot] && contents[slot] == content;
    contents[slot] = content;
    contentKnown[slot] = true;
    return same;
  }

  /** Address and port as one key, never 0; an IPv6 address by its hash (a collision only merges two sources). */
  static long keyOf(InetSocketAddress source) {
    long address = source.getAddress().hashCode() & 0xFFFF_FFFFL; // Inet4Address: the address itself
    return (source.getAddress() instanceof Inet4Address ? IPV4_KEY : IPV6_KEY) | address << 16 | source.getPort();
  }

  private static int slotOf(long key) {
    long h = key * 0x9E37_79B9_7F4A_7C15L;
    return (int) (h >>> 54) & (SLOTS - 1);
  }

  /** The datagram's length and its first and last {@link #SAMPLE_BYTES} bytes (all of it up to twice that). */
  static long sampleOf(ByteBuf request) {
    int from = request.readerIndex();
    int length = request.readableBytes();
    int head = Math.min(length, SAMPLE_BYTES);
    long h = hash(request, from, from + head, length);
    return hash(request, from + Math.max(head, length - SAMPLE_BYTES), from + length, h);
  }

  private static long hash(ByteBuf bytes, int from, int to, long seed) {
    long h = seed * 0xC2B2_AE3D_27D4_EB4FL + 0x1656_67B1_9E37_79F9L;
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      h = mix(h, bytes.getLong(i));
    }
    for (; i < to; i++) {
      h = mix(h, bytes.getByte(i));
    }
    return h ^ (h >>> 31);
  }

  private static long mix(long h, long word) {
    h ^= word * 0x9E37_79B9_7F4A_7C15L;
    return Long.rotateLeft(h, 27) * 0x94D0_49BB_1331_11EBL;
  }
}
