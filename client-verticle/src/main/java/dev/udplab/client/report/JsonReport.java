package dev.udplab.client.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The JSON of {@code flood --json}, a contract: the keys of {@link #of} exactly, figures a mode cannot know as
 * {@code null}; a sweep's runs add {@code sweep} and {@code value}, {@code --find-max-rate} wraps its probes.
 */
public final class JsonReport {

  private JsonReport() {
  }

  /**
   * One run, with exactly the keys the README's flood section lists: target, mode, sent, received, lost,
   * lossPercent, duplicates, reordered, unexpected, elapsedSeconds, sendRate, receiveRate, rcvbuf, sndbuf, rtt (min,
   * p50, p90, p99, p99.9 and max in milliseconds), jitterMillis and the intervals (second, sent, received).
   */
  public static JsonObject of(FloodReport report) {
    boolean replies = report.replies();
    boolean sequenced = report.sequenced();
    FloodReport.Rtt rtt = report.rtt();
    JsonObject rttJson = new JsonObject()
        .put("minMillis", sequenced ? round(rtt.minMillis(), 3) : null)
        .put("p50Millis", sequenced ? round(rtt.p50Millis(), 3) : null)
        .put("p90Millis", sequenced ? round(rtt.p90Millis(), 3) : null)
        .put("p99Millis", sequenced ? round(rtt.p99Millis(), 3) : null)
        .put("p999Millis", sequenced ? round(rtt.p999Millis(), 3) : null)
        .put("maxMillis", sequenced ? round(rtt.maxMillis(), 3) : null);
    JsonArray intervalsJson = new JsonArray();
    for (FloodReport.Interval i : report.intervals()) {
      intervalsJson.add(new JsonObject().put("second", round(i.second(), 3)).put("sent", i.sent())
          .put("received", replies ? i.received() : null));
    }
    return new JsonObject()
        .put("target", report.target())
        .put("mode", report.mode().reportLabel())
        .put("sent", report.sent())
        .put("received", replies ? report.received() : null)
        .put("lost", replies ? report.lost() : null)
        .put("lossPercent", replies ? round(report.lossPercent(), 4) : null)
        .put("duplicates", sequenced ? report.duplicates() : null)
        .put("reordered", sequenced ? report.reordered() : null)
        .put("unexpected", report.unexpected())
        .put("elapsedSeconds", round(report.elapsedSeconds(), 3))
        .put("sendRate", round(report.sendRate(), 1))
        .put("receiveRate", replies ? round(report.receiveRate(), 1) : null)
        .put("rcvbuf", report.rcvbuf())
        .put("sndbuf", report.sndbuf())
        .put("rtt", rttJson)
        .put("jitterMillis", sequenced ? round(rtt.jitterMillis(), 3) : null)
        .put("intervals", intervalsJson);
  }

  /** One run of a sweep: {@link #of} with {@code "sweep"} (the swept option) and {@code "value"} added. */
  public static JsonObject sweepRun(FloodReport report, String sweep, long value) {
    return of(report).put("sweep", sweep).put("value", value);
  }

  /** One probe of {@code --find-max-rate}: {@link #of} with its {@code "rate"} (0 = unpaced) added. */
  public static JsonObject probe(FloodReport report, long rate) {
    return of(report).put("rate", rate);
  }

  /** {@code --find-max-rate --json}: {@code {"maxRate", "maxLossPercent", "probes"}}. */
  public static JsonObject maxRate(long maxRate, double maxLossPercent, JsonArray probes) {
    return new JsonObject().put("maxRate", maxRate).put("maxLossPercent", maxLossPercent).put("probes", probes);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
