package dev.udplab.client.run;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.JsonReport;
import dev.udplab.common.cli.ByteSizes;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --sweep-rcvbuf} or {@code --sweep-rate}: the swept option's name, the values as the user wrote them
 * (the table's first column) and as numbers, and what each value changes in the base options.
 */
public record Sweep(String name, List<String> labels, List<Long> values) {

  /** {@code --sweep-rcvbuf}: client SO_RCVBUF requests in {@link ByteSizes} syntax. */
  public static Sweep rcvbuf(List<String> labels) {
    List<Long> values = new ArrayList<>();
    for (String label : labels) {
      try {
        values.add((long) ByteSizes.parse(label));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--sweep-rcvbuf: " + e.getMessage());
      }
    }
    return new Sweep("rcvbuf", List.copyOf(labels), List.copyOf(values));
  }

  /** {@code --sweep-rate}: rates in datagrams per second, 0 (unpaced) to {@link FloodOptions#MAX_RATE}. */
  public static Sweep rate(List<String> labels) {
    List<Long> values = new ArrayList<>();
    for (String label : labels) {
      long rate;
      try {
        rate = Long.parseLong(label.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--sweep-rate: '" + label + "' is not a number");
      }
      if (rate < 0 || rate > FloodOptions.MAX_RATE) {
        throw new IllegalArgumentException("--sweep-rate: " + rate + " is not a rate 0.." + FloodOptions.MAX_RATE);
      }
      values.add(rate);
    }
    return new Sweep("rate", List.copyOf(labels), List.copyOf(values));
  }

  /** The options of run {@code i}: {@code base} with the swept value in place. */
  public FloodOptions options(FloodOptions base, int i) {
    long value = values.get(i);
    return "rcvbuf".equals(name)
        ? base.withBuffers(new SocketBuffers((int) value, base.buffers().sendBytes()))
        : base.withRate(value);
  }

  /** Run {@code i}'s JSON: the single flood's report object with {@code "sweep"} and {@code "value"} added. */
  public JsonObject json(FloodReport report, int i) {
    return JsonReport.sweepRun(report, name, values.get(i));
  }
}
