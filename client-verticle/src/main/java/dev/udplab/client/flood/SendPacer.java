package dev.udplab.client.flood;

/**
 * Decides how many datagrams to send now so that a run keeps an even rate, also at rates where one
 * timer per datagram is too coarse: the caller asks on every tick (1 ms) and sends the deficit between
 * what the elapsed time allows and what went out, capped at {@link #BURST_TICKS} ticks' worth. A backlog of up to one
 * second's worth (a cold JVM's first sends, a descheduled process) is caught up at that burst; a longer one is
 * forgiven rather than caught up, so the achieved rate shows honestly below the target instead of arriving
 * as one large burst.
 *
 * <p>With rate 0 (unpaced) every call allows one batch: the caller sends it and yields to the event
 * loop so replies are read between batches.
 */
public final class SendPacer {

  /** Datagrams per turn of the event loop when unpaced. */
  public static final int UNPACED_BATCH = 256;
  /** The tick the caller should use when paced. */
  public static final long TICK_NANOS = 1_000_000L;
  /**
   * Largest burst, in ticks' worth of datagrams: a backlog is caught up at up to this many times the rate. The
   * flood hands a tick's datagrams to the kernel in one {@code sendmmsg}, so a burst arrives at the server all at
   * once, and a large one overflows a default-sized receive buffer each time a cold JVM catches up (bench/RESULTS.md
   * has the run that showed it). Four ticks' worth still catches up a one-second backlog within a third of a
   * second.
   */
  static final int BURST_TICKS = 4;

  private final long ratePerSecond;
  private final long startNanos;
  private final long maxBurst;
  private final long maxBacklog;
  private long sent;
  private long forgiven;

  /** A pacer for {@code ratePerSecond} (0 = unpaced) starting at {@code startNanos}. */
  public SendPacer(long ratePerSecond, long startNanos) {
    if (ratePerSecond < 0) {
      throw new IllegalArgumentException("rate must not be negative: " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
    this.startNanos = startNanos;
    this.maxBurst = ratePerSecond == 0 ? UNPACED_BATCH
        : Math.max(4, ratePerSecond * BURST_TICKS * TICK_NANOS / 1_000_000_000L);
    // One second's worth: forgiving beyond one burst made short runs fall well short of their rate after a cold
    // JVM's slow first second (bench/RESULTS.md); catching up that much keeps them at it.
    this.maxBacklog = Math.max(maxBurst, ratePerSecond);
  }

  /** Whether this pacer limits the rate. */
  public boolean paced() {
    return ratePerSecond > 0;
  }

  /** How many datagrams may go out at {@code nowNanos}; call {@link #sent(long)} with what went. */
  public long due(long nowNanos) {
    if (ratePerSecond == 0) {
      return UNPACED_BATCH;
    }
    long elapsed = Math.max(0, nowNanos - startNanos);
    // integer arithmetic: a double here loses the last datagram of a slot (0.1 s * 10 = 0.9999...)
    long allowed = elapsed / 1_000_000_000L * ratePerSecond
        + elapsed % 1_000_000_000L * ratePerSecond / 1_000_000_000L - forgiven;
    long deficit = allowed - sent;
    if (deficit > maxBacklog) {
      forgiven += deficit - maxBacklog;
      deficit = maxBacklog;
    }
    return Math.max(0, Math.min(deficit, maxBurst));
  }

  /** Notes that {@code n} datagrams went out. */
  public void sent(long n) {
    sent += n;
  }

  /** Largest number {@link #due} ever returns. */
  public long maxBurst() {
    return maxBurst;
  }
}
