package dev.udplab.client.cli;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.JsonReport;
import dev.udplab.client.report.SweepPlot;
import dev.udplab.client.report.TextReport;
import dev.udplab.client.run.MaxRateSearch;
import dev.udplab.client.run.SingleRun;
import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.ExitCodes;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --find-max-rate}: a warm-up, then the probes {@link MaxRateSearch} asks for, one line each, and the answer
 * (with {@code --json} one object holding every probe, with {@code --plot} a chart of them). Exits 1 when no probed
 * rate stayed within the threshold, 4 when the kernel refused every send of a probe.
 */
record FindMaxRateMode(FloodPlan plan) implements FloodMode {

  /** A probe's length when {@code --duration} is not given. */
  static final Duration DEFAULT_PROBE = Duration.ofSeconds(2);

  @Override
  public int run(SingleRun runs, Output output) {
    FloodOptions base = plan.flood();
    MaxRateSearch search = new MaxRateSearch(plan.maxLossPercent() == null ? FloodPlan.DEFAULT_FIND_MAX_LOSS
        : plan.maxLossPercent());
    double threshold = search.thresholdPercent();
    Duration probe = base.duration().isZero() ? DEFAULT_PROBE : base.duration();
    JsonArray probes = new JsonArray();
    List<SweepPlot.Point> points = new ArrayList<>();
    // The first, unpaced probe sets the search's first bound, and a cold JVM sends a fraction of what it can:
    // warm up first, as sweeps do (bench/RESULTS.md has how far answers scattered without it).
    runs.warmUp(base, output.text());
    output.text().println(String.format(Locale.ROOT, "find-max-rate: probes of %.1f s, loss threshold %s%%",
        probe.toNanos() / 1e9, threshold));
    long answer = search.search(rate -> {
      // the search warmed up once before its first probe: no warm-up of their own
      FloodOptions options = base.withRate(rate).withDuration(probe).withWarmup(Duration.ZERO)
          .withCount(rate == 0 ? base.count() : Math.max(1, rate * probe.toMillis() / 1000));
      FloodReport report = runs.run(options, null, false);
      probes.add(JsonReport.probe(report, rate));
      points.add(SweepPlot.Point.of(report, rate == 0 ? report.sendRate() : rate));
      output.text().println(TextReport.probeLine(probes.size(), rate, report, search.verdict(report, rate)));
      output.text().flush();
      if (report.everySendFailed()) {
        throw CommandException.environment(FloodMode.everySendFailed(report));
      }
      return report;
    }, runs.signal()::isInterrupted);
    output.text().println(answer > 0
        ? String.format(Locale.ROOT, "max rate within %s%% loss: %d pps", threshold, answer)
        : "no probed rate stayed within " + threshold + "% loss");
    output.text().flush();
    if (plan.plot() != null) {
      SweepPlot.write(plan.plot(), SweepPlot.title(base.target().label(), "find-max-rate"), SweepPlot.Axis.RATE,
          points, false, output.text());
    }
    if (plan.json()) {
      output.out().println(JsonReport.maxRate(answer, threshold, probes).encode());
      output.out().flush();
    }
    return answer > 0 ? ExitCodes.OK : ExitCodes.NO_REPLY;
  }
}
