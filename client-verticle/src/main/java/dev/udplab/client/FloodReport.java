package dev.udplab.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result of one flood and the one place that formats it: the header line, iperf3-style interval
 * lines, the final summary with a sockperf-style percentile block, the JSON object of the contract, the
 * sweep table and the demo's side-by-side view.
 *
 * <p>Figures that a mode cannot know are {@code null} in JSON and {@code n/a} in text: in
 * {@code counted} mode (replies carry no sequence) duplicates, reordered, RTT and jitter; in
 * {@code send-only} mode everything about replies.
 *
 * @param elapsedSeconds send phase: first send to last send
 * @param receiveSeconds first send to last reply (the receive rate's denominator)
 */
public record FloodReport(String target, Mode mode, long sent, long received, long duplicates, long reordered,
    long unexpected, double elapsedSeconds, double receiveSeconds, long rcvbuf, long sndbuf, Rtt rtt,
    List<Interval> intervals) {

  /** How replies are accounted. */
  public enum Mode {
    /** Replies carry our header: exact per-sequence figures and RTT. */
    SEQUENCED("sequenced"),
    /** Replies come but carry no sequence (greeting): loss is sent minus replies. */
    COUNTED("counted"),
    /** No replies are expected (sink): only what was sent. */
    SEND_ONLY("send-only");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    /** The name used in JSON and text. */
    public String label() {
      return label;
    }
  }

  /** Round-trip figures in milliseconds. */
  public record Rtt(double minMillis, double p50Millis, double p90Millis, double p99Millis, double p999Millis,
      double maxMillis, double jitterMillis) {

    /** Snapshot of a recorder. */
    public static Rtt of(RttRecorder r) {
      return new Rtt(r.minMillis(), r.percentileMillis(50), r.percentileMillis(90), r.percentileMillis(99),
          r.percentileMillis(99.9), r.maxMillis(), r.jitterMillis());
    }
  }

  /** One interval: its end in seconds since the first send, and what was sent and received in it. */
  public record Interval(double second, long sent, long received) {
  }

  /** {@code sent - received} (never negative); 0 in send-only mode. */
  public long lost() {
    return mode == Mode.SEND_ONLY ? 0 : Math.max(0, sent - received);
  }

  /** Lost as a percentage of sent. */
  public double lossPercent() {
    return sent == 0 ? 0 : 100.0 * lost() / sent;
  }

  /** Datagrams per second during the send phase. */
  public double sendRate() {
    return elapsedSeconds > 0 ? sent / elapsedSeconds : 0;
  }

  /** Replies per second from the first send to the last reply. */
  public double receiveRate() {
    return receiveSeconds > 0 ? received / receiveSeconds : 0;
  }

  /** The JSON object of the contract; unavailable figures are null. */
  public JsonObject toJson() {
    boolean replies = mode != Mode.SEND_ONLY;
    boolean sequenced = mode == Mode.SEQUENCED;
    JsonObject rttJson = new JsonObject()
        .put("minMillis", sequenced ? round(rtt.minMillis(), 3) : null)
        .put("p50Millis", sequenced ? round(rtt.p50Millis(), 3) : null)
        .put("p90Millis", sequenced ? round(rtt.p90Millis(), 3) : null)
        .put("p99Millis", sequenced ? round(rtt.p99Millis(), 3) : null)
        .put("p999Millis", sequenced ? round(rtt.p999Millis(), 3) : null)
        .put("maxMillis", sequenced ? round(rtt.maxMillis(), 3) : null);
    JsonArray intervalsJson = new JsonArray();
    for (Interval i : intervals) {
      intervalsJson.add(new JsonObject().put("second", round(i.second(), 3)).put("sent", i.sent())
          .put("received", replies ? i.received() : null));
    }
    return new JsonObject()
        .put("target", target)
        .put("mode", mode.label())
        .put("sent", sent)
        .put("received", replies ? received : null)
        .put("lost", replies ? lost() : null)
        .put("lossPercent", replies ? round(lossPercent(), 4) : null)
        .put("duplicates", sequenced ? duplicates : null)
        .put("reordered", sequenced ? reordered : null)
        .put("unexpected", unexpected)
        .put("elapsedSeconds", round(elapsedSeconds, 3))
        .put("sendRate", round(sendRate(), 1))
        .put("receiveRate", replies ? round(receiveRate(), 1) : null)
        .put("rcvbuf", rcvbuf)
        .put("sndbuf", sndbuf)
        .put("rtt", rttJson)
        .put("jitterMillis", sequenced ? round(rtt.jitterMillis(), 3) : null)
        .put("intervals", intervalsJson);
  }

  /** The line printed before a run. */
  public static String header(String target, long count, double durationSeconds, long rate, int sizeBytes,
      long rcvbuf, long sndbuf, int sockets, int segmentsPerWrite) {
    String what = count > 0 ? count + " datagrams" : durationSeconds > 0 ? fmt("%.1f s", durationSeconds) : "until Ctrl-C";
    return fmt("flood %s: %s of %d bytes, %s, rcvbuf %d, sndbuf %d (granted), %d socket%s%s", target, what,
        sizeBytes, rate == 0 ? "unpaced" : rate + " pps", rcvbuf, sndbuf, sockets, sockets == 1 ? "" : "s",
        segmentsPerWrite > 1 ? ", GSO up to " + segmentsPerWrite + " per write" : "");
  }

  /** Column titles for {@link #intervalLine}. */
  public static String intervalTitle() {
    return "[ interval s ]        sent    received   lost so far    send pps    recv pps";
  }

  /**
   * One iperf3-style interval line: the interval, what went and came in it, the loss so far
   * (sent minus received up to now, in flight included) and the rates each way.
   */
  public static String intervalLine(double fromSeconds, double toSeconds, long sent, long received,
      long totalSent, long totalReceived, boolean replies) {
    double span = Math.max(1e-9, toSeconds - fromSeconds);
    return fmt("[%6.2f-%6.2f] %11d %11s %13s %11.0f %11s", fromSeconds, toSeconds, sent,
        replies ? Long.toString(received) : "n/a", replies ? Long.toString(totalSent - totalReceived) : "n/a",
        sent / span, replies ? fmt("%.0f", received / span) : "n/a");
  }

  /** A single progress line (for a terminal, rewritten in place with a carriage return). */
  public static String progressLine(double seconds, long sent, long received, boolean replies) {
    return fmt("\r%7.2f s  sent %d  received %s  lost so far %s   ", seconds, sent,
        replies ? Long.toString(received) : "n/a", replies ? Long.toString(sent - received) : "n/a");
  }

  /** One line of {@code --find-max-rate}: the probe's number, its rate (0 = unpaced), figures and verdict. */
  public static String probeLine(int number, long rate, FloodReport report, String verdict) {
    return fmt("probe %2d  rate %9s  sent %9d  received %9d  loss %8.4f%%  %s", number,
        rate == 0 ? "unpaced" : Long.toString(rate), report.sent(), report.received(), report.lossPercent(), verdict);
  }

  /** The final summary with the percentile block. */
  public String summary() {
    boolean replies = mode != Mode.SEND_ONLY;
    boolean sequenced = mode == Mode.SEQUENCED;
    StringBuilder b = new StringBuilder();
    b.append(fmt("- - - - - - - - - - - - - - - - - - - - - - - - - - - -%n"));
    b.append(fmt("%s  mode %s%n", target, mode.label()));
    b.append(fmt("sent        %d in %.3f s (%.0f pps)%n", sent, elapsedSeconds, sendRate()));
    if (replies) {
      b.append(fmt("received    %d (%.0f pps)%n", received, receiveRate()));
      b.append(fmt("lost        %d (%.4f%%)%n", lost(), lossPercent()));
    } else {
      b.append(fmt("received    n/a (send-only: the server's counters tell what arrived)%n"));
    }
    b.append(fmt("duplicates  %s%n", sequenced ? Long.toString(duplicates) : "n/a"));
    b.append(fmt("reordered   %s%n", sequenced ? Long.toString(reordered) : "n/a"));
    b.append(fmt("unexpected  %d%n", unexpected));
    b.append(fmt("buffers     rcvbuf %d, sndbuf %d (granted)%n", rcvbuf, sndbuf));
    if (sequenced) {
      b.append(fmt("rtt ms      min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", rtt.minMillis(),
          rtt.p50Millis(), rtt.p90Millis(), rtt.p99Millis(), rtt.p999Millis(), rtt.maxMillis()));
      b.append(fmt("jitter ms   %.3f (RFC 3550)%n", rtt.jitterMillis()));
    } else {
      b.append(fmt("rtt ms      n/a (replies carry no send time)%n"));
    }
    return b.toString();
  }

  /** A sweep table: one row per report, the swept value first. */
  public static String sweepTable(String sweptName, List<String> values, List<FloodReport> reports) {
    StringBuilder b = new StringBuilder();
    b.append(fmt("%10s %10s %10s %10s %9s %9s %10s%n", sweptName, "granted", "sent", "received", "loss %", "p99 ms",
        "send pps"));
    for (int i = 0; i < reports.size(); i++) {
      FloodReport r = reports.get(i);
      boolean replies = r.mode() != Mode.SEND_ONLY;
      b.append(fmt("%10s %10d %10d %10s %9s %9s %10.0f%n", values.get(i), r.rcvbuf(), r.sent(),
          replies ? Long.toString(r.received()) : "n/a", replies ? fmt("%.3f", r.lossPercent()) : "n/a",
          r.mode() == Mode.SEQUENCED ? fmt("%.3f", r.rtt().p99Millis()) : "n/a", r.sendRate()));
    }
    return b.toString();
  }

  /** Two summaries in two columns, for the demo. */
  public static String sideBySide(String leftTitle, FloodReport left, String rightTitle, FloodReport right) {
    String[] l = (leftTitle + System.lineSeparator() + left.summary()).split("\\R");
    String[] r = (rightTitle + System.lineSeparator() + right.summary()).split("\\R");
    int width = 0;
    for (String s : l) {
      width = Math.max(width, s.length());
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < Math.max(l.length, r.length); i++) {
      String a = i < l.length ? l[i] : "";
      String c = i < r.length ? r[i] : "";
      lines.add(String.format(Locale.ROOT, "%-" + width + "s  |  %s", a, c).stripTrailing());
    }
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
