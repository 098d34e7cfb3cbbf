package dev.udplab.client.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of a flood as people read it, iperf3 and sockperf style: the header line before a run, interval lines
 * (or one progress line on a terminal) while it runs, the summary with its percentile block after it, a probe line
 * per {@code --find-max-rate} probe, and the demo's two summaries side by side. Figures a mode cannot know are
 * {@code n/a}.
 */
public final class TextReport {

  /** The widest line of a side-by-side column: two of them fit a 160-column terminal. */
  static final int COLUMN = 76;

  private TextReport() {
  }

  /** The line printed before a run: the target, what is sent and how, the granted buffers, sockets and GSO. */
  public static String header(String target, FloodParameters p) {
    String what = p.count() > 0 ? p.count() + " datagrams"
        : p.durationSeconds() > 0 ? fmt("%.1f s", p.durationSeconds()) : "until stopped";
    String pace = p.rate() == 0 ? "unpaced"
        : p.bitsPerSecond() != null ? fmt("%s bit/s of payload = %d pps", bits(p.bitsPerSecond()), p.rate())
        : p.rate() + " pps";
    return fmt("flood %s%s: %s of %d bytes, %s, rcvbuf %d, sndbuf %d (granted), %d socket%s%s", target,
        p.bind() == null ? "" : " from " + p.bind(), what, p.sizeBytes(), pace, p.rcvbufGranted(),
        p.sndbufGranted(), p.sockets(), p.sockets() == 1 ? "" : "s",
        p.segmentsPerWrite() > 1 ? ", GSO up to " + p.segmentsPerWrite() + " per write" : "");
  }

  /**
   * The header's line on pacing for {@code rate} (0: none): each datagram at its own time up to
   * {@code perDatagramMaxRate}, batched 1 ms ticks above it.
   */
  public static String pacingLine(long rate, long perDatagramMaxRate) {
    if (rate == 0) {
      return null;
    }
    if (rate <= perDatagramMaxRate) {
      return fmt("pacing: each datagram at its own time, one every %.1f us (the summary says how exactly)", 1e6 / rate);
    }
    return fmt("pacing: batched, 1 ms ticks of %d datagrams (each datagram at its own time only up to %d pps)",
        rate / 1000, perDatagramMaxRate);
  }

  /** The header's line on the warm-up of {@code seconds} at {@code rate} (0: unpaced), or null without one. */
  public static String warmupLine(double seconds, long rate) {
    if (seconds <= 0) {
      return null;
    }
    return fmt("warm-up: %.3f s %s before the run, left out of the report (the server counts it)", seconds, rate == 0 ? "unpaced" : "at " + rate + " pps");
  }

  /** {@code 100M}, {@code 1.5G}, {@code 64000}: a bitrate as {@code --bitrate} takes it. */
  static String bits(long bitsPerSecond) {
    for (String unit : new String[] {"G", "M", "K"}) {
      long scale = unit.equals("G") ? 1_000_000_000L : unit.equals("M") ? 1_000_000L : 1_000L;
      if (bitsPerSecond >= scale) {
        return java.math.BigDecimal.valueOf(bitsPerSecond).divide(java.math.BigDecimal.valueOf(scale))
            .stripTrailingZeros().toPlainString() + unit;
      }
    }
    return Long.toString(bitsPerSecond);
  }

  /**
   * Column titles for {@link #intervalLine}: every column is about the interval except the last, which is the total
   * so far (sent minus received up to now, so what is still in flight counts too).
   */
  public static String intervalTitle() {
    return "[ interval s  ]        sent    received    send pps    recv pps  send Mbit/s | unanswered, total";
  }

  /**
   * One iperf3-style interval line: the interval as it really was (the last one of the send phase ends with the last
   * send, the drain's replies make one more), what went and came in it, the rates over its real length, the payload
   * bitrate sent, and after the bar the datagrams not answered so far (in flight included).
   */
  public static String intervalLine(FloodReport.Interval interval, long totalSent, long totalReceived,
      boolean replies, int sizeBytes) {
    double span = interval.seconds();
    return fmt("[%6.2f-%6.2f] %11d %11s %11.0f %11s %12.2f | %s", interval.fromSecond(), interval.second(),
        interval.sent(), replies ? Long.toString(interval.received()) : "n/a", interval.sent() / span,
        replies ? fmt("%.0f", interval.received() / span) : "n/a", 8.0 * sizeBytes * interval.sent() / span / 1e6,
        replies ? Long.toString(totalSent - totalReceived) : "n/a");
  }

  /** A single progress line (for a terminal, rewritten in place with a carriage return). */
  public static String progressLine(double seconds, long sent, long received, boolean replies) {
    return fmt("\r%7.2f s  sent %d  received %s  unanswered %s   ", seconds, sent,
        replies ? Long.toString(received) : "n/a", replies ? Long.toString(sent - received) : "n/a");
  }

  /** One line of {@code --find-max-rate}: the probe's number, its rate (0 = unpaced), figures and verdict. */
  public static String probeLine(int number, long rate, FloodReport report, String verdict) {
    return fmt("probe %2d  rate %9s  sent %9d  received %9d  loss %8.4f%%  %s", number,
        rate == 0 ? "unpaced" : Long.toString(rate), report.sent(), report.received(), report.lossPercent(), verdict);
  }

  /** The final summary with the percentile block. */
  public static String summary(FloodReport report) {
    FloodReport.Rtt rtt = report.rtt();
    StringBuilder b = new StringBuilder();
    b.append(fmt("- - - - - - - - - - - - - - - - - - - - - - - - - - - -%n"));
    b.append(fmt("%s  mode %s%n", report.target(), report.mode().reportLabel()));
    b.append(fmt("sent        %d in %.3f s (%.0f pps, %.2f Mbit/s payload, %.2f Mbit/s on the wire)%n", report.sent(),
        report.elapsedSeconds(), report.sendRate(), report.sendBitsPerSecond() / 1e6,
        report.sendWireBitsPerSecond() / 1e6));
    if (report.replies()) {
      b.append(fmt("received    %d (%.0f pps, %.2f Mbit/s payload, %.2f Mbit/s on the wire)%n", report.received(),
          report.receiveRate(), report.receiveBitsPerSecond() / 1e6, report.receiveWireBitsPerSecond() / 1e6));
      b.append(fmt("lost        %d (%.4f%%)%n", report.lost(), report.lossPercent()));
    } else {
      b.append(fmt("received    n/a (send-only: the server's counters tell what arrived)%n"));
    }
    b.append(fmt("duplicates  %s%n", report.sequenced() ? Long.toString(report.duplicates()) : "n/a"));
    b.append(fmt("reordered   %s%n", report.sequenced() ? Long.toString(report.reordered()) : "n/a"));
    b.append(fmt("unexpected  %d%n", report.unexpected()));
    b.append(fmt("buffers     rcvbuf %d, sndbuf %d (granted)%n", report.rcvbuf(), report.sndbuf()));
    if (report.rttKnown()) {
      b.append(fmt("rtt ms      min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", rtt.minMillis(),
          rtt.p50Millis(), rtt.p90Millis(), rtt.p99Millis(), rtt.p999Millis(), rtt.maxMillis()));
      b.append(fmt("jitter ms   %.3f (RFC 3550)%n", rtt.jitterMillis()));
    } else if (report.sequenced()) {
      b.append(fmt("rtt ms      n/a (no reply came back)%n"));
    } else {
      b.append(fmt("rtt ms      n/a (replies carry no send time)%n"));
    }
    fidelity(b, report);
    return b.toString();
  }

  /** The summary's lines on the warm-up, the pacing, the self-check and coordinated omission. */
  private static void fidelity(StringBuilder b, FloodReport report) {
    FloodReport.Fidelity f = report.fidelity();
    if (f.warmup().sent() > 0) {
      b.append(fmt("warm-up     %d sent, %d received in %.3f s (not in the figures above)%n", f.warmup().sent(),
          f.warmup().received(), f.warmup().seconds()));
    }
    FloodReport.Pacing pacing = f.pacing();
    if (pacing.gapError() != null) {
      b.append(fmt("pacing      one every %.1f us: gap error p50 %.1f us, p99 %.1f us; late p50 %.1f us, p99 %.1f us%n",
          pacing.intervalMicros(), pacing.gapError().p50(), pacing.gapError().p99(), pacing.late().p50(),
          pacing.late().p99()));
    } else if (FloodReport.Pacing.BATCHED.equals(pacing.mode())) {
      b.append(fmt("pacing      batched: each 1 ms tick's datagrams leave together%n"));
    }
    FloodReport.Stalls stalls = f.clientStalls();
    b.append(fmt("self-check  this client's event loop: %d stall%s over 1 ms, longest %.1f ms%n", stalls.count(),
        stalls.count() == 1 ? "" : "s", stalls.maxMillis()));
    if (report.rttKnown() && f.intendedDiffers(report.rtt())) {
      FloodReport.Rtt i = f.rttFromIntended();
      b.append(fmt("rtt ms      from the intended send times: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
          i.p50Millis(), i.p90Millis(), i.p99Millis(), i.p999Millis(), i.maxMillis()));
      b.append(fmt("            (more than 10 %% above: datagrams left late, and their wait for the sender is delay "
          + "too)%n"));
    }
    if (report.rttKnown() && f.clientStallExceeds(report.rtt())) {
      b.append(fmt("this client's own event loop stalled for up to %.1f ms (%.1f ms in all), longer than the RTT p99 "
          + "of %.3f ms: part of the tail, and of any loss, is this client's, not the network's or the server's%n",
          stalls.maxMillis(), stalls.over1msMillis(), report.rtt().p99Millis()));
    }
  }

  /** Two summaries in two columns, for the demo. */
  public static String sideBySide(String leftTitle, FloodReport left, String rightTitle, FloodReport right) {
    List<String> l = wrapped(leftTitle + System.lineSeparator() + summary(left));
    List<String> r = wrapped(rightTitle + System.lineSeparator() + summary(right));
    int width = 0;
    for (String s : l) {
      width = Math.max(width, s.length());
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < Math.max(l.size(), r.size()); i++) {
      String a = i < l.size() ? l.get(i) : "";
      String c = i < r.size() ? r.get(i) : "";
      lines.add(String.format(Locale.ROOT, "%-" + width + "s  |  %s", a, c).stripTrailing());
    }
    return String.join(System.lineSeparator(), lines) + System.lineSeparator();
  }

  /** The lines of {@code text}, each longer than {@link #COLUMN} cut at its spaces, continued indented. */
  static List<String> wrapped(String text) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String rest = line;
      String indent = "";
      while (indent.length() + rest.length() > COLUMN) {
        int cut = rest.lastIndexOf(' ', COLUMN - indent.length());
        if (cut <= 0) {
          break;
        }
        lines.add(indent + rest.substring(0, cut));
        rest = rest.substring(cut + 1);
        indent = "    ";
      }
      lines.add(indent + rest);
    }
    return lines;
  }


  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
