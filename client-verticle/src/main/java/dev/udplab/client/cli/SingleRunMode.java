package dev.udplab.client.cli;

import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.JsonReport;
import dev.udplab.client.report.JsonStream;
import dev.udplab.client.report.TextReport;
import dev.udplab.client.run.SingleRun;

/**
 * {@code flood} without a sweep or a search: one run, its summary (or JSON object, or with {@code --json-stream} its
 * lines, the last one {@code end} with that object), the {@code --max-loss} verdict.
 */
record SingleRunMode(FloodPlan plan) implements FloodMode {

  @Override
  public int run(SingleRun runs, Output output) {
    JsonStream stream = plan.jsonStream() ? new JsonStream(output.out()) : null;
    FloodReport report = runs.run(plan.flood(), output.text(), output.terminal(), stream);
    if (stream != null) {
      stream.write(JsonReport.streamEnd(report));
    } else if (plan.json()) {
      output.out().println(JsonReport.of(report).encode());
    } else {
      output.out().print(TextReport.summary(report));
    }
    output.out().flush();
    return FloodMode.verdict(plan, report, output.err());
  }
}
