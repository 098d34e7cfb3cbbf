package dev.udplab.client.flood;

import dev.udplab.client.report.FloodReport;
import org.HdrHistogram.Histogram;

/**
 * Round-trip times of every reply in an HDR histogram (nanosecond values kept to 3 significant digits, up
 * to one minute), plus the interarrival jitter of RFC 3550 section 6.4.1 computed over successive
 * round-trip times: {@code J += (|D| - J) / 16}.
 */
public final class RttRecorder {

  private static final long HIGHEST_NANOS = 60_000_000_000L;

  private final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
  private double jitterNanos;
  private long previousNanos = -1;

  /** Records one round-trip time in nanoseconds (clamped to the histogram's range). */
  public void record(long rttNanos) {
    long value = Math.max(0, Math.min(HIGHEST_NANOS, rttNanos));
    histogram.recordValue(value);
    if (previousNanos >= 0) {
      double d = Math.abs(rttNanos - previousNanos);
      jitterNanos += (d - jitterNanos) / 16.0;
    }
    previousNanos = rttNanos;
  }

  /** Number of recorded round trips. */
  public long count() {
    return histogram.getTotalCount();
  }

  /** Value at {@code percentile} (0..100) in milliseconds; 0 when nothing was recorded. */
  public double percentileMillis(double percentile) {
    return count() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1e6;
  }

  /** Smallest recorded value in milliseconds. */
  public double minMillis() {
    return count() == 0 ? 0 : histogram.getMinValue() / 1e6;
  }

  /** Largest recorded value in milliseconds. */
  public double maxMillis() {
    return count() == 0 ? 0 : histogram.getMaxValue() / 1e6;
  }

  /** The figures a report shows. */
  public FloodReport.Rtt snapshot() {
    return new FloodReport.Rtt(minMillis(), percentileMillis(50), percentileMillis(90), percentileMillis(99),
        percentileMillis(99.9), maxMillis(), jitterMillis());
  }

  /** RFC 3550 jitter in milliseconds. */
  public double jitterMillis() {
    return jitterNanos / 1e6;
  }
}
