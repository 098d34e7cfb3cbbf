package dev.udplab.client.cli;

import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.SweepPlot;
import dev.udplab.client.report.SweepTable;
import dev.udplab.client.run.SingleRun;
import dev.udplab.client.run.Sweep;
import dev.udplab.common.cli.ExitCodes;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --sweep-rcvbuf} and {@code --sweep-rate}: a warm-up, then one run per value (each with new client sockets),
 * the table, with {@code --plot} its chart, and with {@code --json} an array of the runs' objects. Exits with the worst
 * run's code ({@link FloodMode#verdict}).
 */
record SweepMode(FloodPlan plan) implements FloodMode {

  @Override
  public int run(SingleRun runs, Output output) {
    Sweep sweep = plan.sweep();
    List<FloodReport> reports = new ArrayList<>();
    JsonArray array = new JsonArray();
    int exit = ExitCodes.OK;
    runs.warmUp(plan.flood(), output.text());
    for (int i = 0; i < sweep.values().size() && !runs.signal().isInterrupted(); i++) {
      FloodReport report = runs.run(sweep.options(plan.flood(), i), output.text(), output.terminal());
      reports.add(report);
      array.add(sweep.json(report, i));
      exit = Math.max(exit, FloodMode.verdict(plan, report, output.err()));
    }
    output.text().println();
    output.text().print(SweepTable.of(sweep.name(), sweep.labels().subList(0, reports.size()), reports));
    output.text().flush();
    if (plan.plot() != null) {
      List<SweepPlot.Point> points = new ArrayList<>();
      for (int i = 0; i < reports.size(); i++) {
        points.add(SweepPlot.Point.of(reports.get(i), sweep.values().get(i)));
      }
      SweepPlot.write(plan.plot(), SweepPlot.title(plan.flood().target().label(), sweep.name()),
          "rcvbuf".equals(sweep.name()) ? SweepPlot.Axis.RCVBUF : SweepPlot.Axis.RATE, points, true,
          output.text());
    }
    if (plan.json()) {
      output.out().println(array.encode());
      output.out().flush();
    }
    return exit;
  }
}
