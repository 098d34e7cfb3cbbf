package dev.udplab.client.flood;

/**
 * When a flood's send phase ends and how many datagrams may go now, without I/O: the {@link SendPacer}'s allowance,
 * capped by what is left of {@code --count}; the phase ends when {@code --count} datagrams were attempted or
 * {@code --duration} is up. Sends complete synchronously (see {@code ConnectedSocket}), so nothing else holds the
 * sender back.
 */
final class SendSchedule {

  private final long count;
  private final long durationNanos;
  private final long startNanos;
  private final SendPacer pacer;

  /**
   * @param count datagrams to send, 0 = no limit
   * @param durationNanos longest send phase, 0 = no limit
   * @param rate datagrams per second, 0 = unpaced
   */
  SendSchedule(long count, long durationNanos, long rate, long startNanos) {
    this.count = count;
    this.durationNanos = durationNanos;
    this.startNanos = startNanos;
    this.pacer = new SendPacer(rate, startNanos);
  }

  /** Whether the send phase is over at {@code nowNanos} after {@code attempted} sends. */
  boolean over(long nowNanos, long attempted) {
    return (count > 0 && attempted >= count) || (durationNanos > 0 && nowNanos - startNanos >= durationNanos);
  }

  /** How many datagrams may go out at {@code nowNanos}; call {@link #sent(long)} with what went. */
  long due(long nowNanos, long attempted) {
    long due = pacer.due(nowNanos);
    return count > 0 ? Math.min(due, count - attempted) : due;
  }

  /** Notes that {@code n} datagrams went out. */
  void sent(long n) {
    pacer.sent(n);
  }

  SendPacer pacer() {
    return pacer;
  }

  long startNanos() {
    return startNanos;
  }
}
