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
 * @param fidelity          how far the flood itself can be trusted: its warm-up, pacing, stalls and the RTT from the
 *                          intended send times
 * @param clientKernelDrops the kernel's drops at this flood's own sockets, or null where it does not say (or not
 *                          read yet)
 * @param lossAttribution   where the loss happened ({@code --server-metrics}), or null
 */
public record FloodReport(String target, ReplyKind mode, long sent, long received, long duplicates, long reordered,
    long unexpected, double elapsedSeconds, double receiveSeconds, long rcvbuf, long sndbuf, Rtt rtt,
    List<Interval> intervals, long sendFailures, String sendFailure, long replyBytes, FloodParameters parameters,
    Fidelity fidelity, Long clientKernelDrops, LossAttribution lossAttribution) {

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

  /**
   * How far the flood itself can be trusted: what the warm-up before the run sent, how exactly the pacing kept its
   * schedule, how long the flood's own event loop stalled, and the round-trip times counted from the intended send
   * times (null when unpaced or without sequenced replies).
   */
  public record Fidelity(Warmup warmup, Pacing pacing, Stalls clientStalls, Rtt rttFromIntended) {

    /** No warm-up, no pacing figures, no stalls measured. */
    public static final Fidelity NONE = new Fidelity(new Warmup(0, 0, 0), new Pacing(Pacing.UNPACED, 0, null, null),
        new Stalls(0, 0, 0), null);

    public Fidelity withRttFromIntended(Rtt fromIntended) {
      return new Fidelity(warmup, pacing, clientStalls, fromIntended);
    }

    /**
     * Whether the RTT from the intended send times differs from the RTT from the actual ones by more than 10 % at
     * p50, p99 or p99.9: the sender was late often enough to hide part of the delay (coordinated omission).
     */
    public boolean intendedDiffers(Rtt actual) {
      return rttFromIntended != null && (differs(actual.p50Millis(), rttFromIntended.p50Millis())
          || differs(actual.p99Millis(), rttFromIntended.p99Millis())
          || differs(actual.p999Millis(), rttFromIntended.p999Millis()));
    }

    private static boolean differs(double actual, double intended) {
      return Math.abs(intended - actual) > 0.1 * Math.abs(actual);
    }

    /** Whether the flood's own longest stall is longer than the RTT p99 it measured: part of that tail is its own. */
    public boolean clientStallExceeds(Rtt actual) {
      return clientStalls.count() > 0 && clientStalls.maxMillis() > actual.p99Millis();
    }
  }

  /**
   * The warm-up before the run, left out of every other figure.
   *
   * @param seconds its send phase
   */
  public record Warmup(long sent, long received, double seconds) {
  }

  /**
   * How the datagrams were paced.
   *
   * @param mode           {@link #PER_DATAGRAM}, {@link #BATCHED} or {@link #UNPACED}
   * @param intervalMicros the intended gap between datagrams, 0 unpaced
   * @param gapError       {@code |gap - interval|} between consecutive datagrams (per-datagram mode only, else null)
   * @param late           how long after its intended time each datagram left (per-datagram mode only, else null)
   */
  public record Pacing(String mode, double intervalMicros, Micros gapError, Micros late) {
    /** Each datagram leaves at its own time. */
    public static final String PER_DATAGRAM = "per-datagram";
    /** Each 1 ms tick's datagrams leave together (above the per-datagram rates). */
    public static final String BATCHED = "batched";
    /** As fast as the socket takes them. */
    public static final String UNPACED = "unpaced";
  }

  /** Three figures of a distribution in microseconds. */
  public record Micros(double p50, double p99, double max) {
  }

  /**
   * The self-check: how late the flood's own event loop ran a 1 ms timer.
   *
   * @param count        ticks more than 1 ms late (stalls)
   * @param maxMillis    the latest tick's lateness
   * @param over1msMillis the stalls' lateness added up: time the loop could neither send nor read
   */
  public record Stalls(long count, double maxMillis, double over1msMillis) {
  }

  /** This report with the client's own kernel drops, read once the run is over. */
  public FloodReport withClientKernelDrops(Long drops) {
    return new FloodReport(target, mode, sent, received, duplicates, reordered, unexpected, elapsedSeconds,
        receiveSeconds, rcvbuf, sndbuf, rtt, intervals, sendFailures, sendFailure, replyBytes, parameters, fidelity,
        drops, lossAttribution);
  }

  /** This report with where its loss happened. */
  public FloodReport withLossAttribution(LossAttribution attribution) {
    return new FloodReport(target, mode, sent, received, duplicates, reordered, unexpected, elapsedSeconds,
        receiveSeconds, rcvbuf, sndbuf, rtt, intervals, sendFailures, sendFailure, replyBytes, parameters, fidelity,
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
