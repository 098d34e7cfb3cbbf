package dev.udplab.client.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.TreeMap;

/**
 * Every JSON document {@code flood --json} prints, built here and nowhere else so that one schema can describe
 * them: a run ({@link #of}), a sweep's array of runs ({@link #sweepRun}), {@code --find-max-rate}'s object
 * ({@link #maxRate}) and the lines of {@code --json-stream} ({@link #streamStart}, {@link #streamInterval},
 * {@link #streamEnd}). Keys are a contract: new ones are added, none is renamed or removed; figures a run cannot know
 * are {@code null}. The schema that describes them is {@code schema/flood.schema.json} (src/main/resources): a key
 * added here must be added there, where tests validate real runs against it.
 */
public final class JsonReport {

  private JsonReport() {
  }

  /**
   * One run: the keys of the README's flood section, {@code target mode sent received lost lossPercent duplicates
   * reordered unexpected elapsedSeconds sendRate receiveRate rcvbuf sndbuf rtt{minMillis p50Millis p90Millis p99Millis
   * p999Millis maxMillis} jitterMillis intervals[{second sent received fromSecond}]}, then {@code sendFailures
   * sendFailure clientKernelDrops sendBitsPerSecond sendWireBitsPerSecond receiveBitsPerSecond
   * receiveWireBitsPerSecond lossAttribution test{...} warmup{sent received seconds} pacing{...} clientStalls{...}
   * rttFromIntended}} (the RTT block counted from the intended send times; null when unpaced, not sequenced or
   * without a reply).
   */
  public static JsonObject of(FloodReport report) {
    boolean replies = report.replies();
    boolean sequenced = report.sequenced();
    boolean rttKnown = report.rttKnown();
    FloodReport.Rtt rtt = report.rtt();
    FloodReport.Fidelity fidelity = report.fidelity();
    JsonArray intervalsJson = new JsonArray();
    for (FloodReport.Interval i : report.intervals()) {
      intervalsJson.add(interval(i, replies));
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
        .put("rtt", rtt(rtt, rttKnown))
        .put("jitterMillis", rttKnown ? round(rtt.jitterMillis(), 3) : null)
        .put("intervals", intervalsJson)
        .put("sendFailures", report.sendFailures())
        .put("sendFailure", report.sendFailure())
        .put("clientKernelDrops", report.clientKernelDrops())
        .put("sendBitsPerSecond", Math.round(report.sendBitsPerSecond()))
        .put("sendWireBitsPerSecond", Math.round(report.sendWireBitsPerSecond()))
        .put("receiveBitsPerSecond", replies ? Math.round(report.receiveBitsPerSecond()) : null)
        .put("receiveWireBitsPerSecond", replies ? Math.round(report.receiveWireBitsPerSecond()) : null)
        .put("lossAttribution", lossAttribution(report.lossAttribution()))
        .put("test", test(report.parameters()))
        .put("warmup", warmup(fidelity.warmup()))
        .put("pacing", pacing(fidelity.pacing()))
        .put("clientStalls", stalls(fidelity.clientStalls()))
        .put("rttFromIntended", rttKnown && fidelity.rttFromIntended() != null
            ? rtt(fidelity.rttFromIntended(), true) : null);
  }

  /** {@code {"second", "sent", "received", "fromSecond"}}: one interval, {@code received} null in send-only mode. */
  private static JsonObject interval(FloodReport.Interval i, boolean replies) {
    return new JsonObject().put("second", round(i.second(), 3)).put("sent", i.sent())
        .put("received", replies ? i.received() : null).put("fromSecond", round(i.fromSecond(), 3));
  }

  /**
   * {@code --json-stream}'s first line, once the sockets are bound: {@code {"event":"start","data":{"target",
   * "version", "timeMillis", "test"}}}, {@code test} as in the report (asked and granted), {@code timeMillis} the
   * wall clock then (ms since the epoch, iperf3's {@code start.timestamp}).
   */
  public static JsonObject streamStart(String target, FloodParameters parameters, String version, long timeMillis) {
    return event("start", new JsonObject().put("target", target).put("version", version).put("timeMillis", timeMillis)
        .put("test", test(parameters)));
  }

  /**
   * One interval line of {@code --json-stream}: the interval as the report lists it, its rates over its real length
   * ({@code sendRate}, {@code receiveRate} in datagrams per second, {@code sendBitsPerSecond} of payload), and
   * {@code totalSent} / {@code totalReceived} up to its end; every reply figure null in send-only mode.
   */
  public static JsonObject streamInterval(FloodReport.Interval i, long totalSent, long totalReceived, boolean replies,
      int sizeBytes) {
    double span = i.seconds();
    return event("interval", interval(i, replies).put("sendRate", round(i.sent() / span, 1))
        .put("receiveRate", replies ? round(i.received() / span, 1) : null)
        .put("sendBitsPerSecond", Math.round(8.0 * sizeBytes * i.sent() / span))
        .put("totalSent", totalSent).put("totalReceived", replies ? totalReceived : null));
  }

  /** {@code --json-stream}'s last line: {@code {"event":"end","data":REPORT}}, REPORT exactly {@link #of}. */
  public static JsonObject streamEnd(FloodReport report) {
    return event("end", of(report));
  }

  private static JsonObject event(String name, JsonObject data) {
    return new JsonObject().put("event", name).put("data", data);
  }

  /** The RTT block in milliseconds, every figure null when it is not {@code known}. */
  private static JsonObject rtt(FloodReport.Rtt rtt, boolean known) {
    return new JsonObject()
        .put("minMillis", known ? round(rtt.minMillis(), 3) : null)
        .put("p50Millis", known ? round(rtt.p50Millis(), 3) : null)
        .put("p90Millis", known ? round(rtt.p90Millis(), 3) : null)
        .put("p99Millis", known ? round(rtt.p99Millis(), 3) : null)
        .put("p999Millis", known ? round(rtt.p999Millis(), 3) : null)
        .put("maxMillis", known ? round(rtt.maxMillis(), 3) : null);
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
    return micros == null ? null : new JsonObject().put("p50", round(micros.p50(), 1))
        .put("p99", round(micros.p99(), 1)).put("max", round(micros.max(), 1));
  }

  /** {@code {"count", "maxMillis", "over1msMillis"}}: the self-check of the flood's own event loop. */
  static JsonObject stalls(FloodReport.Stalls stalls) {
    return new JsonObject().put("count", stalls.count()).put("maxMillis", round(stalls.maxMillis(), 3))
        .put("over1msMillis", round(stalls.over1msMillis(), 3));
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

  /**
   * {@code {"serverKernel", "serverDropped":{reason: n}, "clientKernel", "path", "exact"}}, or null without
   * {@code --server-metrics}.
   */
  static JsonObject lossAttribution(LossAttribution a) {
    if (a == null) {
      return null;
    }
    JsonObject dropped = new JsonObject();
    new TreeMap<>(a.serverDropped()).forEach(dropped::put);
    return new JsonObject().put("serverKernel", a.serverKernel()).put("serverDropped", dropped)
        .put("clientKernel", a.clientKernel()).put("path", a.path()).put("exact", a.exact());
  }

  /** The run's parameters: what was asked and what the kernel granted. */
  static JsonObject test(FloodParameters p) {
    return new JsonObject()
        .put("sizeBytes", p.sizeBytes())
        .put("count", p.count())
        .put("durationSeconds", p.durationSeconds() > 0 ? round(p.durationSeconds(), 3) : null)
        .put("rate", p.rate())
        .put("bitsPerSecond", p.bitsPerSecond())
        .put("sockets", p.sockets())
        .put("gso", p.gso())
        .put("segmentsPerWrite", p.segmentsPerWrite())
        .put("rcvbufAsked", p.rcvbufAsked())
        .put("sndbufAsked", p.sndbufAsked())
        .put("rcvbufGranted", p.rcvbufGranted())
        .put("sndbufGranted", p.sndbufGranted())
        .put("expect", p.expect())
        .put("drainSeconds", round(p.drainSeconds(), 3))
        .put("intervalSeconds", round(p.intervalSeconds(), 3))
        .put("bind", p.bind())
        .put("ipv6", p.ipv6())
        .put("warmupSeconds", round(p.warmupSeconds(), 3));
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
