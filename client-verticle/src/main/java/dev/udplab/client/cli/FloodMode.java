package dev.udplab.client.cli;

import dev.udplab.client.report.FloodReport;
import dev.udplab.client.run.SingleRun;
import dev.udplab.common.cli.ExitCodes;
import java.io.PrintWriter;
import java.util.Locale;

/** One way {@code flood} runs its plan: a single run, a sweep, or the search of {@code --find-max-rate}. */
interface FloodMode {

  /**
   * Where a mode prints: results on {@code out} (only the JSON document with {@code --json}), notes on {@code err},
   * and the text people read on {@link #text()}; {@code terminal} when that is a terminal.
   */
  record Output(PrintWriter out, PrintWriter err, boolean json, boolean terminal) {

    /** stdout, or stderr with {@code --json}. */
    PrintWriter text() {
      return json ? err : out;
    }
  }

  /** Runs the floods and prints their results; returns the exit code. */
  int run(SingleRun runs, Output output);

  /** Exit code 3 and one line on {@code err} when {@code report} lost more than {@code --max-loss}; 0 otherwise. */
  static int verdict(FloodPlan plan, FloodReport report, PrintWriter err) {
    if (!plan.aboveMaxLoss(report)) {
      return ExitCodes.OK;
    }
    err.println(String.format(Locale.ROOT, "loss %.4f%% is above --max-loss %s%%", report.lossPercent(),
        plan.maxLossPercent()));
    return ExitCodes.LOSS;
  }
}
