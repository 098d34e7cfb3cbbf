package dev.udplab.client.flood;

import java.util.Arrays;

/**
 * Decides how many datagrams to send now so that a run keeps an even rate, and when each one was meant to leave.
 * Two ways of asking, chosen by the rate ({@link #perDatagram}):
 * <ul>
 *   <li>up to {@link #PER_DATAGRAM_MAX_RATE} the caller wakes every {@link #periodNanos()} and sends what is due,
 *   normally one datagram: each leaves at its own time;</li>
 *   <li>above it the caller asks on every tick ({@link #TICK_NANOS}) and sends the tick's datagrams as one batch,
 *   because no timer wakes a thread every few microseconds.</li>
 * </ul>
 * Datagram {@code k} (counted from 0 in this run) is meant to leave at {@link #intendedNanos(long)}: the start plus
 * {@code (k + 1) / rate} seconds, exactly, in integer arithmetic. A backlog (a stall of the caller) is caught up at up to
 * {@link #CATCH_UP_FACTOR} times the rate, starting with one burst of {@link #maxBurst()}: a token bucket refilled at
 * that speed. A backlog of more than one second's worth is forgiven rather than caught up, so the achieved rate shows
 * honestly below the target instead of arriving as one large burst; the forgiven slots shift the intended times of
 * every later datagram, which the pacer remembers (a handful of breakpoints per stall of over a second).
 *
 * <p>With rate 0 (unpaced) every call allows one batch of {@link #UNPACED_BATCH}: the caller sends it and yields to
 * the event loop so replies are read between batches; no datagram has an intended time. Not thread-safe: the event
 * loop only.
 */
public final class SendPacer {

  /** Datagrams per turn of the event loop when unpaced. */
  public static final int UNPACED_BATCH = 256;
  /** The tick of the batched mode. */
  public static final long TICK_NANOS = 1_000_000L;
  /** The highest rate at which every datagram gets its own wake-up (a gap of 10 us). */
  public static final long PER_DATAGRAM_MAX_RATE = 100_000;
  /**
   * A backlog is caught up at up to this many times the rate. A tick's datagrams reach the server all at once, so a
   * large burst overflows a default-sized receive buffer each time a cold JVM catches up (bench/RESULTS.md has the
   * run that showed it); four times still catches up a one-second backlog within a third of a second.
   */
  static final int CATCH_UP_FACTOR = 4;
  /** The largest burst in the per-datagram mode: a few datagrams, never a tick's worth. */
  static final int PER_DATAGRAM_BURST = 4;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long ratePerSecond;
  private final long startNanos;
  private final boolean perDatagram;
  private final long maxBurst;
  private final long maxBacklog;
  /** Tokens in datagram-nanoseconds (datagrams times 1e9), so the bucket needs no floating point. */
  private long tokens;
  private final long tokenCapacity;
  private long lastRefillNanos;
  private long sent;
  private long forgiven;
  /**
   * Where forgiveness happened: from datagram {@code breakpointAt[i]} on, {@code breakpointForgiven[i]} slots. A sender
   * that stays more than a second behind forgives a little on every call, so the arrays grow by doubling and stop at
   * {@link #MAX_BREAKPOINTS}, after which the last one takes all (later intended times are then early by what it
   * absorbed).
   */
  private long[] breakpointAt = new long[0];
  private long[] breakpointForgiven = new long[0];
  private int breakpoints;
  static final int MAX_BREAKPOINTS = 1 << 16;

  /** A pacer for {@code ratePerSecond} (0 = unpaced) starting at {@code startNanos}. */
  public SendPacer(long ratePerSecond, long startNanos) {
    if (ratePerSecond < 0) {
      throw new IllegalArgumentException("rate must not be negative: " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
    this.startNanos = startNanos;
    this.perDatagram = ratePerSecond > 0 && ratePerSecond <= PER_DATAGRAM_MAX_RATE;
    this.maxBurst = ratePerSecond == 0 ? UNPACED_BATCH
        : perDatagram ? PER_DATAGRAM_BURST
        : Math.max(4, ratePerSecond * CATCH_UP_FACTOR * TICK_NANOS / NANOS_PER_SECOND);
    // One second's worth: forgiving beyond one burst made short runs fall well short of their rate after a cold
    // JVM's slow first second (bench/RESULTS.md); catching up that much keeps them at it.
    this.maxBacklog = Math.max(maxBurst, ratePerSecond);
    this.tokenCapacity = maxBurst * NANOS_PER_SECOND;
    this.tokens = tokenCapacity;
    this.lastRefillNanos = startNanos;
  }

  /** Whether this pacer limits the rate. */
  public boolean paced() {
    return ratePerSecond > 0;
  }

  /** Whether each datagram gets its own wake-up ({@link #periodNanos()} apart) rather than a tick's batch. */
  public boolean perDatagram() {
    return perDatagram;
  }

  /**
   * How often the caller should wake: the gap between datagrams (rounded down to the nanosecond, so a wake is never
   * later than its datagram) in the per-datagram mode, {@link #TICK_NANOS} otherwise.
   */
  public long periodNanos() {
    return perDatagram ? Math.max(1, NANOS_PER_SECOND / ratePerSecond) : TICK_NANOS;
  }

  /** How many datagrams may go out at {@code nowNanos}; call {@link #sent(long)} with what went. */
  public long due(long nowNanos) {
    if (ratePerSecond == 0) {
      return UNPACED_BATCH;
    }
    long elapsed = Math.max(0, nowNanos - startNanos);
    long deficit = slotsBefore(elapsed) - forgiven - sent;
    if (deficit > maxBacklog) {
      forgive(deficit - maxBacklog);
      deficit = maxBacklog;
    }
    refill(nowNanos);
    return Math.max(0, Math.min(deficit, tokens / NANOS_PER_SECOND));
  }

  /** Slots whose time has come {@code elapsed} ns after the start: {@code floor(elapsed * rate / 1e9)}. */
  private long slotsBefore(long elapsed) {
    // integer arithmetic: a double here loses the last datagram of a slot (0.1 s * 10 = 0.9999...)
    return elapsed / NANOS_PER_SECOND * ratePerSecond + elapsed % NANOS_PER_SECOND * ratePerSecond / NANOS_PER_SECOND;
  }

  private void refill(long nowNanos) {
    long since = Math.min(NANOS_PER_SECOND, Math.max(0, nowNanos - lastRefillNanos));
    lastRefillNanos = nowNanos;
    tokens = Math.min(tokenCapacity, tokens + since * ratePerSecond * CATCH_UP_FACTOR);
  }

  private void forgive(long slots) {
    forgiven += slots;
    int n = breakpoints;
    if (n > 0 && (breakpointAt[n - 1] == sent || n == MAX_BREAKPOINTS)) {
      breakpointForgiven[n - 1] = forgiven;
      return;
    }
    if (n == breakpointAt.length) {
      int capacity = Math.max(8, 2 * n);
      breakpointAt = Arrays.copyOf(breakpointAt, capacity);
      breakpointForgiven = Arrays.copyOf(breakpointForgiven, capacity);
    }
    breakpointAt[n] = sent;
    breakpointForgiven[n] = forgiven;
    breakpoints = n + 1;
  }

  /** Notes that {@code n} datagrams went out. */
  public void sent(long n) {
    sent += n;
    tokens -= n * NANOS_PER_SECOND;
  }

  /** Largest number {@link #due} ever returns at once. */
  public long maxBurst() {
    return maxBurst;
  }

  /**
   * When datagram {@code k} of this run was meant to leave, in ns since the start (the slot it fills, counting the
   * slots forgiven before it), the end of its slot: datagram 0 one gap after the start; 0 when unpaced.
   */
  public long intendedNanos(long k) {
    if (ratePerSecond == 0) {
      return 0;
    }
    long slot = k + forgivenBefore(k) + 1;
    // rounded up: at the nanosecond returned, due() already allows the datagram
    return slot / ratePerSecond * NANOS_PER_SECOND
        + (slot % ratePerSecond * NANOS_PER_SECOND + ratePerSecond - 1) / ratePerSecond;
  }

  private long forgivenBefore(long k) {
    int i = Arrays.binarySearch(breakpointAt, 0, breakpoints, k);
    int at = i >= 0 ? i : -i - 2;
    return at < 0 ? 0 : breakpointForgiven[at];
  }
}
