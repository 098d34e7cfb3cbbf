package dev.udplab.client.flood;

import dev.udplab.client.report.FloodReport;
import org.HdrHistogram.Histogram;

/**
 * How exactly a paced flood kept its schedule, from the send time of each datagram (the one clock read it gets):
 * the <em>gap error</em>, {@code |gap - 1/rate|} between consecutive datagrams, and the <em>lateness</em>, how long
 * after its intended time ({@link SendPacer#intendedNanos}) each one left. Both in HDR histograms (ns, 3 digits, up
 * to a minute), recorded without allocating. Only the per-datagram mode is judged: in the batched mode datagrams of
 * one tick leave together by design.
 */
final class SendTimings {

  private static final long HIGHEST_NANOS = 60_000_000_000L;

  private final long periodNanos;
  private final long rate;
  private final Histogram gapError = new Histogram(HIGHEST_NANOS, 3);
  private final Histogram lateness = new Histogram(HIGHEST_NANOS, 3);
  private long previousNanos = Long.MIN_VALUE;

  /** Timings of a flood at {@code rate} datagrams per second. */
  SendTimings(long rate) {
    this.rate = rate;
    this.periodNanos = rate == 0 ? 0 : 1_000_000_000L / rate;
  }

  /** Datagram sent at {@code sentNanos}, meant for {@code intendedNanos} (both since the run's start). */
  void record(long sentNanos, long intendedNanos) {
    lateness.recordValue(clamp(sentNanos - intendedNanos));
    if (previousNanos != Long.MIN_VALUE) {
      gapError.recordValue(clamp(Math.abs(sentNanos - previousNanos - periodNanos)));
    }
    previousNanos = sentNanos;
  }

  /** The datagram before the next one was not sent (a forgiven backlog, a failed send): no gap to judge. */
  void breakGap() {
    previousNanos = Long.MIN_VALUE;
  }

  private static long clamp(long nanos) {
    return Math.max(0, Math.min(HIGHEST_NANOS, nanos));
  }

  /** The figures a report shows, in microseconds. */
  FloodReport.Pacing snapshot(String mode) {
    if (lateness.getTotalCount() == 0) {
      return new FloodReport.Pacing(mode, rate == 0 ? 0 : 1e6 / rate, null, null);
    }
    return new FloodReport.Pacing(mode, 1e6 / rate, micros(gapError), micros(lateness));
  }

  private static FloodReport.Micros micros(Histogram h) {
    if (h.getTotalCount() == 0) {
      return null;
    }
    return new FloodReport.Micros(h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
        h.getMaxValue() / 1e3);
  }
}
