package dev.udplab.client.run;

import dev.udplab.client.report.FloodReport;
import java.util.function.BooleanSupplier;

/**
 * The search of {@code --find-max-rate}, without I/O: an unpaced probe gives a first bound (its achieved rate,
 * at least {@link #FLOOR_RATE}); while probes pass the bound doubles (at most {@link #MAX_DOUBLINGS} times),
 * then bisection narrows the gap between the highest passing and the lowest failing rate to 2 % (at least
 * 100 pps), within {@link #MAX_PROBES} rates after the unpaced probe plus the one that ends the doubling.
 *
 * <p>A rate fails only when a second probe at it fails too. At these rates one scheduling hiccup of a few
 * milliseconds overflows a 208 KiB receive buffer, and a single failed probe bounds every later one, so searches of
 * the same server scattered (bench/RESULTS.md). {@code bench/run.sh} repeats failed knee probes the same way.
 */
public final class MaxRateSearch {

  /** Runs one probe at {@code rate} datagrams per second (0 = unpaced) and returns its report. */
  public interface Probe {
    FloodReport run(long rate);
  }

  /** The lowest first bound, for a client that could hardly send at all unpaced. */
  public static final long FLOOR_RATE = 1000;
  public static final int MAX_DOUBLINGS = 6;
  public static final int MAX_PROBES = 12;

  private final double thresholdPercent;

  /** A search for the highest rate whose loss stays within {@code thresholdPercent}. */
  public MaxRateSearch(double thresholdPercent) {
    this.thresholdPercent = thresholdPercent;
  }

  public double thresholdPercent() {
    return thresholdPercent;
  }

  /**
   * Probes until the answer is known or {@code stopped} says so (checked before each paced probe).
   *
   * @return the highest rate that passed, or 0 when none did
   */
  public long search(Probe probe, BooleanSupplier stopped) {
    FloodReport unpaced = probe.run(0);
    long unpacedRate = Math.max(FLOOR_RATE, Math.round(unpaced.sendRate()));
    boolean unpacedWithin = unpaced.lossPercent() <= thresholdPercent;
    long low = unpacedWithin ? unpacedRate : 0;
    long high = unpacedWithin ? 2 * unpacedRate : unpacedRate;
    int probes = 0;
    while (probes < MAX_DOUBLINGS && !stopped.getAsBoolean() && passesOnce(probe, high, stopped)) {
      low = high;
      high *= 2;
      probes++;
    }
    for (; probes < MAX_PROBES && high - low > Math.max(100, high / 50) && !stopped.getAsBoolean(); probes++) {
      long mid = (low + high) / 2;
      if (passesOnce(probe, mid, stopped)) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** Whether one of up to two probes at {@code rate} passes (the second runs only after a failure). */
  private boolean passesOnce(Probe probe, long rate, BooleanSupplier stopped) {
    return passes(probe.run(rate), rate) || !stopped.getAsBoolean() && passes(probe.run(rate), rate);
  }

  /** A probe passes when its loss is within the threshold and the client really sent at about that rate. */
  public boolean passes(FloodReport report, long rate) {
    return report.lossPercent() <= thresholdPercent && report.sendRate() >= 0.9 * rate;
  }

  /** What a probe's line says about it: {@code ok}, {@code over} (the threshold) or {@code client too slow}. */
  public String verdict(FloodReport report, long rate) {
    if (rate == 0 || passes(report, rate)) {
      return "ok";
    }
    return report.lossPercent() > thresholdPercent ? "over" : "client too slow";
  }
}
