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
   * p50, p90, p99, p99.9 and max in milliseconds), jitterMillis and the intervals (second, sent, received); then
   * warmup, pacing, clientStalls and rttFromIntended (the RTT block counted from the intended send times; null when
   * unpaced or not sequenced).
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
        .put("intervals", intervalsJson)
        .put("warmup", warmup(report.fidelity().warmup()))
        .put("pacing", pacing(report.fidelity().pacing()))
        .put("clientStalls", stalls(report.fidelity().clientStalls()))
        .put("rttFromIntended", sequenced ? rtt(report.fidelity().rttFromIntended()) : null);
  }

  /** {@code {"sent", "received", "seconds"}} of the warm-up; all 0 without one. */
  static JsonObject warmup(FloodReport.Warmup warmup) {
    return new JsonObject().put("sent", warmup.sent()).put("received", warmup.received())
        .put("seconds", round(warmup.seconds(), 3));
  }

  /**
   * {@code {"mode", "intervalMicros", "gapErrorMicros", "lateMicros"}}, the last two {@code {"p50", "p99", "max"}}
   * in the per-datagram mode and null otherwise.
   */
  static JsonObject pacing(FloodReport.Pacing pacing) {
    return new JsonObject().put("mode", pacing.mode()).put("intervalMicros", round(pacing.intervalMicros(), 3))
        .put("gapErrorMicros", micros(pacing.gapError())).put("lateMicros", micros(pacing.late()));
  }

  private static JsonObject micros(FloodReport.Micros micros) {
    return micros == null ? null : new JsonObject().put("p50", round(micros.p50(), 1)).put("p99", round(micros.p99(), 1))
        .put("max", round(micros.max(), 1));
  }

  /** {@code {"count", "maxMillis", "over1msMillis"}}: the self-check of the flood's own event loop. */
  static JsonObject stalls(FloodReport.Stalls stalls) {
    return new JsonObject().put("count", stalls.count()).put("maxMillis", round(stalls.maxMillis(), 3))
        .put("over1msMillis", round(stalls.over1msMillis(), 3));
  }

  /** The RTT block, or null. */
  private static JsonObject rtt(FloodReport.Rtt rtt) {
    return rtt == null ? null : new JsonObject()
        .put("minMillis", round(rtt.minMillis(), 3))
        .put("p50Millis", round(rtt.p50Millis(), 3))
        .put("p90Millis", round(rtt.p90Millis(), 3))
        .put("p99Millis", round(rtt.p99Millis(), 3))
        .put("p999Millis", round(rtt.p999Millis(), 3))
        .put("maxMillis", round(rtt.maxMillis(), 3));
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
