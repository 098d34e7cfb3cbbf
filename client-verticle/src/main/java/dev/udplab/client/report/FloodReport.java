package dev.udplab.client.report;

import java.util.List;

/**
 * The result of one flood. {@link TextReport} prints it (and the lines of a run in progress), {@link JsonReport}
 * gives the JSON of the contract, {@link SweepTable} the table of a sweep and {@link SweepPlot} its chart.
 *
 * <p>Figures that a run cannot know are {@code null} in JSON and {@code n/a} in text: in {@code counted} mode
 * (replies carry no sequence) duplicates, reordered, RTT and jitter; in {@code send-only} mode everything about
 * replies; RTT and jitter when no reply came back at all.
 *
 * @param elapsedSeconds    send phase: first send to last send
 * @param receiveSeconds    first send to last reply (the receive rate's denominator)
 * @param sendFailures      datagrams the kernel refused to send (not counted as sent)
 * @param sendFailure       why the first of them was refused, in the kernel's words, or null
 * @param replyBytes        payload bytes of the replies counted as received
 * @param parameters        what the run was asked to do and what the kernel granted
 * @param clientKernelDrops the kernel's drops at this flood's own sockets, or null where it does not say (or not
 *                          read yet)
 * @param lossAttribution   where the loss happened ({@code --server-metrics}), or null
 */
public record FloodReport(String target, ReplyKind mode, long sent, long received, long duplicates, long reordered,
    long unexpected, double elapsedSeconds, double receiveSeconds, long rcvbuf, long sndbuf, Rtt rtt,
    List<Interval> intervals, long sendFailures, String sendFailure, long replyBytes, FloodParameters parameters,
    Long clientKernelDrops, LossAttribution lossAttribution) {

  /** Round-trip figures in milliseconds. */
  public record Rtt(double minMillis, double p50Millis, double p90Millis, double p99Millis, double p999Millis,
      double maxMillis, double jitterMillis) {
  }

  /**
   * One interval: its start and end in seconds since the first send, and what was sent and received in it. The last
   * interval of the send phase ends when the last datagram went out; replies that come in the drain after it make
   * one more interval, with nothing sent, that ends at the last reply.
   */
  public record Interval(double fromSecond, double second, long sent, long received) {

    /** Seconds the interval lasted (at least a nanosecond, so rates stay finite). */
    public double seconds() {
      return Math.max(1e-9, second - fromSecond);
    }
  }

  /** This report with the client's own kernel drops, read once the run is over. */
  public FloodReport withClientKernelDrops(Long drops) {
    return new FloodReport(target, mode, sent, received, duplicates, reordered, unexpected, elapsedSeconds,
        receiveSeconds, rcvbuf, sndbuf, rtt, intervals, sendFailures, sendFailure, replyBytes, parameters, drops,
        lossAttribution);
  }

  /** This report with where its loss happened. */
  public FloodReport withLossAttribution(LossAttribution attribution) {
    return new FloodReport(target, mode, sent, received, duplicates, reordered, unexpected, elapsedSeconds,
        receiveSeconds, rcvbuf, sndbuf, rtt, intervals, sendFailures, sendFailure, replyBytes, parameters,
        clientKernelDrops, attribution);
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

  /** Payload bits per second sent during the send phase. */
  public double sendBitsPerSecond() {
    return 8.0 * parameters.sizeBytes() * sendRate();
  }

  /** Bits per second the sent datagrams take on an Ethernet link (see {@link FloodParameters#wireOverheadBytes}). */
  public double sendWireBitsPerSecond() {
    return 8.0 * (parameters.sizeBytes() + FloodParameters.wireOverheadBytes(parameters.ipv6())) * sendRate();
  }

  /** Payload bits per second of the replies, first send to last reply. */
  public double receiveBitsPerSecond() {
    return receiveSeconds > 0 ? 8.0 * replyBytes / receiveSeconds : 0;
  }

  /** Bits per second the replies took on an Ethernet link. */
  public double receiveWireBitsPerSecond() {
    return receiveSeconds > 0 ? 8.0 * (replyBytes + (double) received
        * FloodParameters.wireOverheadBytes(parameters.ipv6())) / receiveSeconds : 0;
  }

  /** Whether replies were accounted at all (not a send-only run). */
  public boolean replies() {
    return mode != ReplyKind.NONE;
  }

  /** Whether replies carried sequence numbers: duplicates and reordering are known. */
  public boolean sequenced() {
    return mode == ReplyKind.SEQUENCED;
  }

  /** Whether round-trip times are known: sequenced replies, and at least one came back. */
  public boolean rttKnown() {
    return sequenced() && received > 0;
  }

  /** Whether replies were expected and none came back although datagrams went out. */
  public boolean noReply() {
    return replies() && sent > 0 && received == 0;
  }

  /** Whether datagrams were to go out and the kernel refused every one. */
  public boolean everySendFailed() {
    return sent == 0 && sendFailures > 0;
  }
}
