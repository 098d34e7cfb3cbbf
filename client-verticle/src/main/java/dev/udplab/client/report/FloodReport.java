package dev.udplab.client.report;

import java.util.List;

/**
 * The result of one flood. {@link TextReport} prints it (and the lines of a run in progress), {@link JsonReport}
 * gives the JSON of the contract, {@link SweepTable} the table of a sweep.
 *
 * <p>Figures that a mode cannot know are {@code null} in JSON and {@code n/a} in text: in
 * {@code counted} mode (replies carry no sequence) duplicates, reordered, RTT and jitter; in
 * {@code send-only} mode everything about replies.
 *
 * @param elapsedSeconds send phase: first send to last send
 * @param receiveSeconds first send to last reply (the receive rate's denominator)
 */
public record FloodReport(String target, ReplyKind mode, long sent, long received, long duplicates, long reordered,
    long unexpected, double elapsedSeconds, double receiveSeconds, long rcvbuf, long sndbuf, Rtt rtt,
    List<Interval> intervals) {

  /** Round-trip figures in milliseconds. */
  public record Rtt(double minMillis, double p50Millis, double p90Millis, double p99Millis, double p999Millis,
      double maxMillis, double jitterMillis) {
  }

  /** One interval: its end in seconds since the first send, and what was sent and received in it. */
  public record Interval(double second, long sent, long received) {
  }

  /** {@code sent - received} (never negative); 0 in send-only mode. */
  public long lost() {
    return mode == ReplyKind.NONE ? 0 : Math.max(0, sent - received);
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

  /** Whether replies were accounted at all (not a send-only run). */
  public boolean replies() {
    return mode != ReplyKind.NONE;
  }

  /** Whether replies carried sequence numbers: duplicates, reordering and RTT are known. */
  public boolean sequenced() {
    return mode == ReplyKind.SEQUENCED;
  }
}
