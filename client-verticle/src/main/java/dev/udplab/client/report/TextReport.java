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

  private TextReport() {
  }

  /** The line printed before a run. */
  public static String header(String target, long count, double durationSeconds, long rate, int sizeBytes,
      long rcvbuf, long sndbuf, int sockets, int segmentsPerWrite) {
    String what = count > 0 ? count + " datagrams"
        : durationSeconds > 0 ? fmt("%.1f s", durationSeconds) : "until Ctrl-C";
    return fmt("flood %s: %s of %d bytes, %s, rcvbuf %d, sndbuf %d (granted), %d socket%s%s", target, what,
        sizeBytes, rate == 0 ? "unpaced" : rate + " pps", rcvbuf, sndbuf, sockets, sockets == 1 ? "" : "s",
        segmentsPerWrite > 1 ? ", GSO up to " + segmentsPerWrite + " per write" : "");
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
    return fmt("warm-up: %.3f s %s before the run, left out of the report and of the udp_client_* meters (the server "
        + "counts it)", seconds, rate == 0 ? "unpaced" : "at " + rate + " pps");
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
  public static String summary(FloodReport report) {
    FloodReport.Rtt rtt = report.rtt();
    StringBuilder b = new StringBuilder();
    b.append(fmt("- - - - - - - - - - - - - - - - - - - - - - - - - - - -%n"));
    b.append(fmt("%s  mode %s%n", report.target(), report.mode().reportLabel()));
    b.append(fmt("sent        %d in %.3f s (%.0f pps)%n", report.sent(), report.elapsedSeconds(), report.sendRate()));
    if (report.replies()) {
      b.append(fmt("received    %d (%.0f pps)%n", report.received(), report.receiveRate()));
      b.append(fmt("lost        %d (%.4f%%)%n", report.lost(), report.lossPercent()));
    } else {
      b.append(fmt("received    n/a (send-only: the server's counters tell what arrived)%n"));
    }
    b.append(fmt("duplicates  %s%n", report.sequenced() ? Long.toString(report.duplicates()) : "n/a"));
    b.append(fmt("reordered   %s%n", report.sequenced() ? Long.toString(report.reordered()) : "n/a"));
    b.append(fmt("unexpected  %d%n", report.unexpected()));
    b.append(fmt("buffers     rcvbuf %d, sndbuf %d (granted)%n", report.rcvbuf(), report.sndbuf()));
    if (report.sequenced()) {
      b.append(fmt("rtt ms      min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", rtt.minMillis(),
          rtt.p50Millis(), rtt.p90Millis(), rtt.p99Millis(), rtt.p999Millis(), rtt.maxMillis()));
      b.append(fmt("jitter ms   %.3f (RFC 3550)%n", rtt.jitterMillis()));
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
    if (report.sequenced() && f.intendedDiffers(report.rtt())) {
      FloodReport.Rtt i = f.rttFromIntended();
      b.append(fmt("rtt ms      from the intended send times: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
          i.p50Millis(), i.p90Millis(), i.p99Millis(), i.p999Millis(), i.maxMillis()));
      b.append(fmt("            (more than 10 %% above: datagrams left late, and their wait for the sender is delay "
          + "too)%n"));
    }
    if (report.sequenced() && f.clientStallExceeds(report.rtt())) {
      b.append(fmt("this client's own event loop stalled for up to %.1f ms (%.1f ms in all), longer than the RTT p99 "
          + "of %.3f ms: part of the tail, and of any loss, is this client's, not the network's or the server's%n",
          stalls.maxMillis(), stalls.over1msMillis(), report.rtt().p99Millis()));
    }
  }

  /** Two summaries in two columns, for the demo. */
  public static String sideBySide(String leftTitle, FloodReport left, String rightTitle, FloodReport right) {
    String[] l = (leftTitle + System.lineSeparator() + summary(left)).split("\\R");
    String[] r = (rightTitle + System.lineSeparator() + summary(right)).split("\\R");
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

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
