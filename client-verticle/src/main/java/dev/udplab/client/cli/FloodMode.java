package dev.udplab.client.cli;

import dev.udplab.client.report.FloodReport;
import dev.udplab.client.run.SingleRun;
import dev.udplab.common.cli.ExitCodes;
import java.io.PrintWriter;
import java.util.Locale;

/** One way {@code flood} runs its plan: a single run, a sweep, or the search of {@code --find-max-rate}. */
interface FloodMode {

  /**
   * Where a mode prints: results on {@code out} (only JSON with {@code --json} or {@code --json-stream}: then
   * {@code json}), notes on {@code err}, and the text people read on {@link #text()}; {@code terminal} when that is a
   * terminal.
   */
  record Output(PrintWriter out, PrintWriter err, boolean json, boolean terminal) {

    /** stdout, or stderr when stdout carries JSON. */
    PrintWriter text() {
      return json ? err : out;
    }
  }

  /** Runs the floods and prints their results; returns the exit code. */
  int run(SingleRun runs, Output output);

  /**
   * The exit code of one run, with one line on {@code err} when it is not 0: 4 when the kernel refused every send
   * (with its reason), 1 when replies were expected and none came back, 3 when the loss is above {@code --max-loss}.
   */
  static int verdict(FloodPlan plan, FloodReport report, PrintWriter err) {
    if (report.everySendFailed()) {
      err.println(everySendFailed(report));
      return ExitCodes.ENVIRONMENT;
    }
    if (report.noReply()) {
      err.println(String.format(Locale.ROOT, "no reply came back from %s: all %d datagrams lost", report.target(),
          report.sent()));
      return ExitCodes.NO_REPLY;
    }
    if (!plan.aboveMaxLoss(report)) {
      return ExitCodes.OK;
    }
    err.println(String.format(Locale.ROOT, "loss %.4f%% is above --max-loss %s%%", report.lossPercent(),
        plan.maxLossPercent()));
    return ExitCodes.LOSS;
  }

  /** {@code every send to 255.255.255.255:9 failed (10 datagrams): Permission denied}. */
  static String everySendFailed(FloodReport report) {
    return "every send to " + report.target() + " failed (" + report.sendFailures() + " datagrams): "
        + report.sendFailure();
  }
}
