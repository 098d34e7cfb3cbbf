package dev.udplab.client.cli;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.report.SweepPlot;
import dev.udplab.client.run.Sweep;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code flood} command line asks for, validated once: the run (or the base of a sweep or search), how it is
 * judged and printed, and which of the three modes runs it.
 *
 * @param flood          the run, or the base every sweep run and probe changes one value of
 * @param maxLossPercent {@code --max-loss}, or null: exit 3 above it; with {@code --find-max-rate} the threshold
 * @param json           one JSON document on stdout, everything else on stderr
 * @param jsonStream     {@code --json-stream}: one JSON object per line on stdout as the run goes, everything else on
 *                       stderr
 * @param linger         how long {@code /metrics} stays up after the run
 * @param findMaxRate    {@code --find-max-rate}
 * @param sweep          {@code --sweep-rcvbuf} or {@code --sweep-rate}, or null
 * @param serverMetrics  {@code --server-metrics}: the server's /metrics, or null
 * @param plot           {@code --plot}: the chart of a sweep or search, an .svg or .png file, or null
 */
record FloodPlan(FloodOptions flood, Double maxLossPercent, boolean json, boolean jsonStream, Duration linger,
    boolean findMaxRate, Sweep sweep, URI serverMetrics, Path plot) {

  /** The loss threshold of {@code --find-max-rate} when {@code --max-loss} is not given. */
  static final double DEFAULT_FIND_MAX_LOSS = 0.1;

  /**
   * @throws IllegalArgumentException naming the options that do not go together, fit for one usage line
   */
  FloodPlan {
    if (maxLossPercent != null && (maxLossPercent.isNaN() || maxLossPercent < 0 || maxLossPercent > 100)) {
      throw new IllegalArgumentException("--max-loss must be a percentage 0..100: " + maxLossPercent);
    }
    if (json && jsonStream) {
      throw new IllegalArgumentException("choose one of --json and --json-stream");
    }
    if (jsonStream && (findMaxRate || sweep != null)) {
      throw new IllegalArgumentException("--json-stream streams a single run, not --find-max-rate or a sweep (their "
          + "--json holds every run)");
    }
    if (findMaxRate && sweep != null) {
      throw new IllegalArgumentException("choose one of --find-max-rate, --sweep-rcvbuf, --sweep-rate");
    }
    if (findMaxRate && flood.expect() == ReplyKind.NONE) {
      throw new IllegalArgumentException("--find-max-rate needs replies to measure loss: not with --expect none");
    }
    if (flood.count() == 0 && flood.duration().isZero() && (findMaxRate || sweep != null)) {
      throw new IllegalArgumentException("--count 0 needs --duration with --find-max-rate or a sweep");
    }
    if (flood.bitsPerSecond() != null && (findMaxRate || sweep != null && "rate".equals(sweep.name()))) {
      throw new IllegalArgumentException("--bitrate sets the rate that " + (findMaxRate ? "--find-max-rate searches"
          : "--sweep-rate sweeps") + ": choose one");
    }
    if (plot != null && !findMaxRate && sweep == null) {
      throw new IllegalArgumentException("--plot draws a sweep or --find-max-rate: add --sweep-rcvbuf, --sweep-rate "
          + "or --find-max-rate");
    }
    if (plot != null && SweepPlot.Format.of(plot) == null) {
      throw new IllegalArgumentException("--plot " + plot + ": the file must end in .svg or .png");
    }
  }

  /**
   * The plan of a command line whose sweeps are still the words the user wrote.
   *
   * @throws IllegalArgumentException as the constructor, or for a bad sweep value
   */
  static FloodPlan of(FloodOptions flood, Double maxLossPercent, boolean json, boolean jsonStream, Duration linger,
      boolean findMaxRate, List<String> sweepRcvbuf, List<String> sweepRate, URI serverMetrics, Path plot) {
    if (sweepRcvbuf != null && sweepRate != null) {
      throw new IllegalArgumentException("choose one of --find-max-rate, --sweep-rcvbuf, --sweep-rate");
    }
    Sweep sweep = sweepRcvbuf != null ? Sweep.rcvbuf(sweepRcvbuf) : sweepRate != null ? Sweep.rate(sweepRate) : null;
    return new FloodPlan(flood, maxLossPercent, json, jsonStream, linger, findMaxRate, sweep, serverMetrics, plot);
  }

  /** Whether stdout carries JSON only ({@code --json} or {@code --json-stream}): the text goes to stderr. */
  boolean jsonOnStdout() {
    return json || jsonStream;
  }

  /** The mode that runs this plan. */
  FloodMode mode() {
    return findMaxRate ? new FindMaxRateMode(this) : sweep != null ? new SweepMode(this) : new SingleRunMode(this);
  }

  /** Whether {@code report} lost more than {@code --max-loss} allows (a send-only run never does). */
  boolean aboveMaxLoss(FloodReport report) {
    return maxLossPercent != null && report.mode() != ReplyKind.NONE && report.lossPercent() > maxLossPercent;
  }
}
