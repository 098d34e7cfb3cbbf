package dev.udplab.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * A token bucket per source address: IPv4 sources are keyed by their /32, IPv6 sources by their /64 prefix
 * (one subscriber usually owns a whole /64, so per-address buckets would be trivially evaded).
 * <p>
 * Each bucket holds at most {@code burst} tokens and refills at {@code ratePerSecond}; a datagram that finds a
 * token is answered. The table is a fixed-size open-addressed hash with an intrusive least-recently-seen list:
 * once {@code maxSources} sources are tracked, a new source evicts the one seen longest ago, so a spoofed flood
 * from millions of addresses cannot grow memory. Nothing is allocated per datagram once the table exists.
 * <p>
 * Thread-safe: one limiter may be shared by the sockets of several event loops.
 */
public final class SourceRateLimiter {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final int EMPTY = -1;
  /** Largest accepted rate; with {@link #MAX_BURST} it keeps the integer token arithmetic far from overflow. */
  public static final long MAX_RATE = 100_000_000L;
  /** Largest accepted burst. */
  public static final long MAX_BURST = 1_000_000_000L;
  /** Largest accepted {@code maxSources}: the table then takes 40 MB (40 bytes a source), fixed at construction. */
  public static final int MAX_SOURCES_LIMIT = 1 << 20;
  /** IPv4 keys live in ff00::/8 (IPv6 multicast), a prefix that is never a valid source address. */
  private static final long IPV4_KEY_PREFIX = 0xFFFF_FFFF_0000_0000L;

  private final long ratePerSecond;
  private final long capacityUnits;
  private final long maxElapsedNanos;
  private final int maxSources;
  private final LongSupplier nanoClock;

  // Hash index: slot -> entry number, linear probing, backward-shift deletion.
  private final int[] index;
  private final int indexMask;
  // Entries, 0..maxSources-1.
  private final long[] keys;
  private final long[] tokenUnits;
  private final long[] lastSeenNanos;
  private final int[] newer;
  private final int[] older;
  private int size;
  private int newest = EMPTY;
  private int oldest = EMPTY;
  private long evictions;

  /**
   * @param ratePerSecond tokens added per second per source, at least 1
   * @param burst         bucket capacity, at least 1
   * @param maxSources    most sources tracked at once, at least 1
   * @param nanoClock     monotonic clock in nanoseconds ({@code System::nanoTime} outside tests)
   */
  public SourceRateLimiter(long ratePerSecond, long burst, int maxSources, LongSupplier nanoClock) {
    if (ratePerSecond < 1 || ratePerSecond > MAX_RATE) {
      throw new IllegalArgumentException("ratePerSecond must be in 1.." + MAX_RATE + ": " + ratePerSecond);
    }
    if (burst < 1 || burst > MAX_BURST) {
      throw new IllegalArgumentException("burst must be in 1.." + MAX_BURST + ": " + burst);
    }
    if (maxSources < 1 || maxSources > MAX_SOURCES_LIMIT) {
      throw new IllegalArgumentException("maxSources must be in 1.." + MAX_SOURCES_LIMIT + ": " + maxSources);
    }
    this.ratePerSecond = ratePerSecond;
    // One token is NANOS_PER_SECOND units, so refills are exact integers: elapsedNanos * ratePerSecond.
    this.capacityUnits = burst * NANOS_PER_SECOND;
    this.maxElapsedNanos = capacityUnits / ratePerSecond + 1;
    this.maxSources = maxSources;
    this.nanoClock = nanoClock;
    int slots = Integer.highestOneBit(Math.max(2, maxSources) * 2 - 1) << 1;
    this.index = new int[slots];
    this.indexMask = slots - 1;
    java.util.Arrays.fill(index, EMPTY);
    this.keys = new long[maxSources];
    this.tokenUnits = new long[maxSources];
    this.lastSeenNanos = new long[maxSources];
    this.newer = new int[maxSources];
    this.older = new int[maxSources];
  }

  /** The bucket key of an address: IPv4 /32, IPv6 /64 (IPv4-mapped IPv6 counts as IPv4). */
  public static long keyOf(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      return IPV4_KEY_PREFIX | ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }
    if (isIpv4Mapped(b)) {
      return IPV4_KEY_PREFIX | ((b[12] & 0xFFL) << 24) | ((b[13] & 0xFFL) << 16) | ((b[14] & 0xFFL) << 8) | (b[15] & 0xFFL);
    }
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (b[i] & 0xFFL);
    }
    return prefix;
  }

  /**
   * The bucket key of an IP literal as {@code InetAddress.getHostAddress()} prints it (IPv4 dotted quad, IPv6 with
   * or without {@code ::} compression, an optional {@code %scope}, an embedded IPv4 tail), parsed without
   * allocating. IllegalArgumentException if it is not an IP literal.
   */
  public static long keyOf(String literal) {
    int end = literal.indexOf('%');
    end = end < 0 ? literal.length() : end;
    if (literal.indexOf(':') < 0) {
      return IPV4_KEY_PREFIX | parseIpv4(literal, 0, end);
    }
    int gap = literal.indexOf("::");
    int headEnd = gap < 0 ? end : gap;
    int head = groupCount(literal, 0, headEnd);
    int tail = gap < 0 ? 0 : groupCount(literal, gap + 2, end);
    if (gap < 0 ? head != 8 : head + tail > 7) {
      throw new IllegalArgumentException("not an IP address: " + literal);
    }
    long prefix = 0;
    long g4 = 0;
    long g5 = 0;
    for (int i = 0; i < 6; i++) {
      long group = i < head ? group(literal, 0, headEnd, i)
          : i >= 8 - tail ? group(literal, gap + 2, end, i - (8 - tail)) : 0;
      if (i < 4) {
        prefix = (prefix << 16) | group;
      } else if (i == 4) {
        g4 = group;
      } else {
        g5 = group;
      }
    }
    if (prefix == 0 && g4 == 0 && g5 == 0xFFFF) {
      int lastColon = literal.lastIndexOf(':', end - 1);
      if (literal.indexOf('.', lastColon) >= 0) {
        return IPV4_KEY_PREFIX | parseIpv4(literal, lastColon + 1, end);
      }
      return IPV4_KEY_PREFIX | (group(literal, 0, end, -2) << 16) | group(literal, 0, end, -1);
    }
    return prefix;
  }

  /**
   * As {@link #keyOf(String)}, but never throws: a sender that is not an IP literal (never seen from a socket, but
   * the hot path must not fail on it) gets a key from its text's hash, in fe00::/9, which no source uses.
   */
  public static long keyOfHost(String host) {
    try {
      return keyOf(host);
    } catch (IllegalArgumentException notALiteral) {
      return 0xFE00_0000_0000_0000L | (host.hashCode() & 0xFFFF_FFFFL);
    }
  }

  /** Groups in a colon-separated segment; an embedded dotted IPv4 counts as two. */
  private static int groupCount(String s, int from, int to) {
    if (from >= to) {
      return 0;
    }
    int groups = 1;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') {
        groups++;
      }
    }
    return s.indexOf('.', from) >= 0 && s.indexOf('.', from) < to ? groups + 1 : groups;
  }

  /** The k-th 16-bit group of a segment (negative k counts from its end), reading an IPv4 tail as two groups. */
  private static long group(String s, int from, int to, int k) {
    int groups = groupCount(s, from, to);
    int index = k < 0 ? groups + k : k;
    int lastColon = s.lastIndexOf(':', to - 1);
    int dotsFrom = lastColon < from ? from : lastColon + 1;
    boolean ipv4Tail = s.indexOf('.', dotsFrom) >= 0 && s.indexOf('.', dotsFrom) < to;
    if (ipv4Tail && index >= groups - 2) {
      long v4 = parseIpv4(s, dotsFrom, to);
      return index == groups - 2 ? v4 >>> 16 : v4 & 0xFFFF;
    }
    int start = from;
    for (int i = 0; i < index; i++) {
      start = s.indexOf(':', start) + 1;
    }
    int stop = s.indexOf(':', start);
    stop = stop < 0 || stop > to ? to : stop;
    if (stop == start || stop - start > 4) {
      throw new IllegalArgumentException("not an IP address: " + s);
    }
    long value = 0;
    for (int i = start; i < stop; i++) {
      int digit = Character.digit(s.charAt(i), 16);
      if (digit < 0) {
        throw new IllegalArgumentException("not an IP address: " + s);
      }
      value = (value << 4) | digit;
    }
    return value;
  }

  private static long parseIpv4(String s, int from, int to) {
    long address = 0;
    int octets = 0;
    int value = -1;
    for (int i = from; i <= to; i++) {
      char c = i < to ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || value > 255 || ++octets > 4) {
          throw new IllegalArgumentException("not an IP address: " + s);
        }
        address = (address << 8) | value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          throw new IllegalArgumentException("not an IP address: " + s);
        }
      } else {
        throw new IllegalArgumentException("not an IP address: " + s);
      }
    }
    if (octets != 4) {
      throw new IllegalArgumentException("not an IP address: " + s);
    }
    return address;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }

  /** Takes one token from the source's bucket; false when the bucket is empty (the datagram is rate limited). */
  public boolean tryAcquire(InetAddress source) {
    return tryAcquire(keyOf(source));
  }

  /** As {@link #tryAcquire(InetAddress)} for a key from {@link #keyOf(InetAddress)}. */
  public boolean tryAcquire(long key) {
    return tryAcquire(key, nanoClock.getAsLong());
  }

  /** As {@link #tryAcquire(long)} at a time the caller already read from the same clock. */
  public synchronized boolean tryAcquire(long key, long now) {
    int entry = find(key);
    if (entry == EMPTY) {
      entry = insert(key, now);
    } else {
      long elapsed = Math.min(Math.max(0, now - lastSeenNanos[entry]), maxElapsedNanos);
      tokenUnits[entry] = Math.min(capacityUnits, tokenUnits[entry] + elapsed * ratePerSecond);
      lastSeenNanos[entry] = now;
      touch(entry);
    }
    if (tokenUnits[entry] >= NANOS_PER_SECOND) {
      tokenUnits[entry] -= NANOS_PER_SECOND;
      return true;
    }
    return false;
  }

  /** Sources tracked now, never above maxSources. */
  public synchronized int size() {
    return size;
  }

  /** Sources evicted so far to make room for new ones. */
  public synchronized long evictions() {
    return evictions;
  }

  public int maxSources() {
    return maxSources;
  }

  private int slotOf(long key) {
    long h = key * 0x9E37_79B9_7F4A_7C15L;
    return (int) (h ^ (h >>> 32)) & indexMask;
  }

  private int find(long key) {
    for (int slot = slotOf(key); ; slot = (slot + 1) & indexMask) {
      int entry = index[slot];
      if (entry == EMPTY) {
        return EMPTY;
      }
      if (keys[entry] == key) {
        return entry;
      }
    }
  }

  private int insert(long key, long now) {
    int entry;
    if (size == maxSources) {
      entry = oldest;
      unlink(entry);
      removeFromIndex(keys[entry]);
      evictions++;
    } else {
      entry = size++;
    }
    keys[entry] = key;
    tokenUnits[entry] = capacityUnits;
    lastSeenNanos[entry] = now;
    linkNewest(entry);
    int slot = slotOf(key);
    while (index[slot] != EMPTY) {
      slot = (slot + 1) & indexMask;
    }
    index[slot] = entry;
    return entry;
  }

  private void removeFromIndex(long key) {
    int slot = slotOf(key);
    while (keys[index[slot]] != key) {
      slot = (slot + 1) & indexMask;
    }
    // Backward-shift deletion keeps every remaining key reachable from its home slot without tombstones.
    int hole = slot;
    for (int next = (hole + 1) & indexMask; index[next] != EMPTY; next = (next + 1) & indexMask) {
      int home = slotOf(keys[index[next]]);
      boolean movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
      if (movable) {
        index[hole] = index[next];
        hole = next;
      }
    }
    index[hole] = EMPTY;
  }

  private void touch(int entry) {
    if (entry != newest) {
      unlink(entry);
      linkNewest(entry);
    }
  }

  private void linkNewest(int entry) {
    newer[entry] = EMPTY;
    older[entry] = newest;
    if (newest != EMPTY) {
      newer[newest] = entry;
    }
    newest = entry;
    if (oldest == EMPTY) {
      oldest = entry;
    }
  }

  private void unlink(int entry) {
    int n = newer[entry];
    int o = older[entry];
    if (n != EMPTY) {
      older[n] = o;
    } else {
      newest = o;
    }
    if (o != EMPTY) {
      newer[o] = n;
    } else {
      oldest = n;
    }
  }
}
