package dev.udplab.server.guard;

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
 * from millions of addresses cannot grow memory. Nothing is allocated per datagram once the table exists, except the
 * 16-byte copy of an IPv6 address that differs from the previous IPv6 sender's.
 * <p>
 * <b>Churn.</b> A source evicted and seen again must not come back with a full bucket, or an attacker who spoofs
 * enough other sources between a victim's requests gets every one of them answered. Nothing is remembered about
 * evicted sources (memory stays fixed); instead a newcomer to a full table starts with the tokens that the age of the
 * entry it evicts would have refilled: {@code min(burst, age * rate)}. That is never more than its own bucket would
 * hold had it never been evicted. Evictions go in last-seen order, so if the newcomer was evicted before, its
 * last datagram is no later than the evictee's last one, and its untouched bucket would have refilled for at least
 * that age. So a victim's answered rate stays within {@code rate} plus {@code burst} whatever the churn; a table that
 * only evicts sources idle for {@code burst / rate} seconds (no pressure) gives newcomers a full bucket as before, and
 * under heavy churn (the evictee seen a moment ago) a newcomer starts nearly empty: its first datagram waits for
 * one token's worth of time ({@code 1 / rate}) if it stays in the table that long.
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
  private InetAddress lastIpv6Source;
  private long lastIpv6Key;

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

  /**
   * The bucket key of an address: IPv4 /32, IPv6 /64 (IPv4-mapped IPv6 counts as IPv4). An IPv4 key costs nothing:
   * {@link Inet4Address#hashCode()} is the address itself. An IPv6 key copies the 16 bytes
   * ({@link InetAddress#getAddress()}), so {@link #tryAcquire(InetAddress, long)} reads them once per new source.
   */
  public static long keyOf(InetAddress address) {
    if (address instanceof Inet4Address) {
      return IPV4_KEY_PREFIX | (address.hashCode() & 0xFFFF_FFFFL);
    }
    byte[] b = address.getAddress();
    if (isIpv4Mapped(b)) {
      return IPV4_KEY_PREFIX | ((b[12] & 0xFFL) << 24) | ((b[13] & 0xFFL) << 16) | ((b[14] & 0xFFL) << 8) | (b[15] & 0xFFL);
    }
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (b[i] & 0xFFL);
    }
    return prefix;
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
    return tryAcquire(source, nanoClock.getAsLong());
  }

  /** As {@link #tryAcquire(InetAddress)} at a time the caller already read from the same clock. */
  public synchronized boolean tryAcquire(InetAddress source, long now) {
    return take(cachedKeyOf(source), now);
  }

  /**
   * {@link #keyOf}, remembering the last IPv6 source: datagrams mostly come in runs from one sender, and comparing two
   * addresses ({@code Inet6Address.equals} compares the bytes in place) allocates nothing, where reading a key does.
   */
  private long cachedKeyOf(InetAddress source) {
    if (source instanceof Inet4Address) {
      return keyOf(source);
    }
    if (!source.equals(lastIpv6Source)) {
      lastIpv6Source = source;
      lastIpv6Key = keyOf(source);
    }
    return lastIpv6Key;
  }

  private boolean take(long key, long now) {
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
    long startUnits = capacityUnits;
    if (size == maxSources) {
      entry = oldest;
      // The newcomer may be a source evicted since its last datagram; that was no later than the evictee's.
      long evictedAge = Math.min(Math.max(0, now - lastSeenNanos[entry]), maxElapsedNanos);
      startUnits = Math.min(capacityUnits, evictedAge * ratePerSecond);
      unlink(entry);
      removeFromIndex(keys[entry]);
      evictions++;
    } else {
      entry = size++;
    }
    keys[entry] = key;
    tokenUnits[entry] = startUnits;
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
