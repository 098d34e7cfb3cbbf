package dev.udplab.client.report;

import java.util.List;
import java.util.Locale;

/** The table a sweep prints after its runs: one row per run, the swept value first, as the user wrote it. */
public final class SweepTable {

  private SweepTable() {
  }

  /** The title row and one row per report; {@code values} are the table's first column. */
  public static String of(String sweptName, List<String> values, List<FloodReport> reports) {
    StringBuilder b = new StringBuilder();
    b.append(fmt("%10s %10s %10s %10s %9s %9s %10s%n", sweptName, "granted", "sent", "received", "loss %", "p99 ms",
        "send pps"));
    for (int i = 0; i < reports.size(); i++) {
      FloodReport r = reports.get(i);
      b.append(fmt("%10s %10d %10d %10s %9s %9s %10.0f%n", values.get(i), r.rcvbuf(), r.sent(),
          r.replies() ? Long.toString(r.received()) : "n/a", r.replies() ? fmt("%.3f", r.lossPercent()) : "n/a",
          r.rttKnown() ? fmt("%.3f", r.rtt().p99Millis()) : "n/a", r.sendRate()));
    }
    return b.toString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
