package dev.udplab.client.flood;

import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.report.FloodParameters;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.FloodReport.Interval;
import dev.udplab.client.report.ReplyKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything one phase of a flood counts (the warm-up, or the measured run), fed by the verticle from the event loop:
 * sends, replies, intervals, round-trip times from the actual and from the intended send time, and the final mode
 * decision. A phase owns the sequence numbers from {@code firstSequence} on, so the verticle can tell a warm-up
 * straggler from a reply of the run. It updates the {@code udp_client_*} meters as it goes, so
 * they are live during the run, and adds the loss once the drain is over.
 *
 * <p>Mode with {@link ReplyKind#AUTO}: {@code sequenced} as soon as one reply carries our header (other
 * replies then count as unexpected); {@code counted} when replies came but none carried it (a greeting
 * server); with no reply at all it stays {@code sequenced} with everything lost, because a dead echo
 * server and a sink look alike from here: use {@code --expect none} against a sink.
 */
final class FloodAccount {

  /** Netty's way of naming a failed system call: {@code sendmmsg(..) failed with error(-13): } and the like. */
  private static final Pattern NETTY_CALL =
      Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: (.+)$");

  private final String target;
  private final ReplyKind expect;
  private final ClientMetrics.Target meters;
  private final long startNanos;
  private final LossTracker tracker;
  private final RttRecorder rtt = new RttRecorder();
  private final RttRecorder rttFromIntended = new RttRecorder();
  private final SendPacer pacer;
  private final long firstSequence;
  private final List<Interval> intervals = new ArrayList<>();
  private long attempted;
  private long sent;
  private long sendFailures;
  private String sendFailure;
  private long replyBytes;
  private final boolean keepIntervals;
  private long sequencedReplies;
  private long plainReplies;
  private long foreign;
  private long lastReplyNanos;
  private long intervalSent;
  private long intervalReceived;
  private long intervalStartNanos;

  /**
   * @param flows         the client sockets replies come back on, each its own flow for reordering
   * @param firstSequence the sequence number of this phase's first datagram
   * @param pacer         the phase's pacer: when each datagram was meant to leave
   * @param keepIntervals whether intervals are recorded at all ({@code --interval 0} and the warm-up turn them off)
   */
  FloodAccount(String target, ReplyKind expect, ClientMetrics.Target meters, long startNanos, int flows,
      long firstSequence, SendPacer pacer, boolean keepIntervals) {
    this.keepIntervals = keepIntervals;
    this.tracker = new LossTracker(flows);
    this.firstSequence = firstSequence;
    this.pacer = pacer;
    this.target = target;
    this.expect = expect;
    this.meters = meters;
    this.startNanos = startNanos;
    this.intervalStartNanos = startNanos;
  }

  /** Allocates the loss bitmap for {@code count} datagrams now rather than while they flow. */
  void reserve(long count) {
    tracker.reserve(count);
  }

  /** The sequence number the next datagram carries. */
  long nextSequence() {
    return firstSequence + attempted;
  }

  /** {@code datagrams} more were handed to the kernel (sent or failed): their sequence numbers are spent. */
  void attempted(int datagrams) {
    attempted += datagrams;
  }

  /** Whether {@code sequence} is one of this phase's. */
  boolean owns(long sequence) {
    return sequence >= firstSequence && sequence < firstSequence + attempted;
  }

  /** The kernel accepted {@code datagrams} datagrams of {@code bytes} each. */
  void sent(int datagrams, int bytes) {
    sent += datagrams;
    intervalSent += datagrams;
    meters.datagramsSent.increment(datagrams);
    meters.bytesSent.increment((double) datagrams * bytes);
  }

  /**
   * Sends of {@code datagrams} failed (their sequence numbers are spent and will not come back); the first
   * {@code cause} is kept, in the kernel's words, for the report.
   */
  void sendFailed(int datagrams, Throwable cause) {
    sendFailures += datagrams;
    if (sendFailure == null && cause != null) {
      sendFailure = kernelWords(cause);
    }
  }

  /**
   * The kernel's words in a failure: {@code Permission denied} from Netty's {@code sendToAddress(..) failed:
   * Permission denied} or {@code sendmmsg(..) failed with error(-13): Permission denied}.
   */
  static String kernelWords(Throwable cause) {
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    Matcher m = NETTY_CALL.matcher(message);
    return m.matches() ? m.group(1) : message;
  }

  /** A datagram from an address we did not send to. */
  void foreign() {
    foreign++;
    meters.datagramsUnexpected.increment();
  }

  /** Whether replies are decoded at all ({@code --expect counted} and {@code none} take them as they come). */
  boolean decodes() {
    return expect != ReplyKind.COUNTED && expect != ReplyKind.NONE;
  }

  /**
   * A reply from the target of {@code length} bytes carrying {@code sequence} (-1: none, or not decoded; see
   * {@link #decodes}) and the send time in {@code header}, read at {@code nowNanos} on client socket {@code flow}.
   */
  void reply(long sequence, byte[] header, int length, long nowNanos, int flow) {
    meters.bytesReceived.increment(length);
    lastReplyNanos = nowNanos;
    if (!decodes() || !owns(sequence)) {
      plainReplies++;
      if (expect == ReplyKind.NONE || expect == ReplyKind.SEQUENCED || sequencedReplies > 0) {
        meters.datagramsUnexpected.increment();
      } else {
        intervalReceived++;
        replyBytes += length;
        meters.datagramsReceived.increment();
      }
      return;
    }
    sequencedReplies++;
    switch (tracker.record(sequence - firstSequence, flow)) {
      case DUPLICATE:
        meters.datagramsDuplicated.increment();
        return;
      case REORDERED:
        meters.datagramsReordered.increment();
        break;
      default:
        break;
    }
    intervalReceived++;
    replyBytes += length;
    meters.datagramsReceived.increment();
    long sinceStart = nowNanos - startNanos;
    long rttNanos = sinceStart - FloodPayload.decodeSendNanos(header);
    rtt.record(rttNanos);
    meters.recordRtt(rttNanos);
    if (pacer.paced()) {
      // coordinated omission: a datagram the sender sent late waited for the sender as much as for the network
      rttFromIntended.record(sinceStart - pacer.intendedNanos(sequence - firstSequence));
    }
  }

  /** Closes the current interval at {@code nowNanos} and returns it, or null with {@code --interval 0}. */
  Interval closeInterval(long nowNanos) {
    if (!keepIntervals) {
      return null;
    }
    Interval interval = new Interval(intervalStartSeconds(), (nowNanos - startNanos) / 1e9, intervalSent,
        intervalReceived);
    intervals.add(interval);
    intervalSent = 0;
    intervalReceived = 0;
    intervalStartNanos = nowNanos;
    return interval;
  }

  /** Whether anything happened since the last interval closed. */
  boolean intervalPending() {
    return keepIntervals && (intervalSent > 0 || intervalReceived > 0);
  }

  /** The interval of the drain, still open: replies that came after the last send, or null when none did. */
  Interval closeDrainInterval(long sendEndNanos) {
    return intervalPending() ? closeInterval(Math.max(sendEndNanos, lastReplyNanos)) : null;
  }

  /** Seconds since the start at which the current interval began. */
  double intervalStartSeconds() {
    return (intervalStartNanos - startNanos) / 1e9;
  }

  long attempted() {
    return attempted;
  }

  long sent() {
    return sent;
  }

  long sendFailures() {
    return sendFailures;
  }

  /** Replies counted as received so far, whatever the mode turns out to be. */
  long receivedSoFar() {
    return mode() == ReplyKind.COUNTED ? plainReplies : tracker.counts().received();
  }

  /** The mode the run reports in. */
  ReplyKind mode() {
    switch (expect) {
      case NONE:
        return ReplyKind.NONE;
      case COUNTED:
        return ReplyKind.COUNTED;
      case SEQUENCED:
        return ReplyKind.SEQUENCED;
      default:
        return sequencedReplies == 0 && plainReplies > 0 ? ReplyKind.COUNTED : ReplyKind.SEQUENCED;
    }
  }

  /**
   * The final report, once the drain is over; adds the loss to the lost meter.
   *
   * @param sendEndNanos when the last datagram went out
   * @param parameters   what the run was asked and granted
   * @param measured     the warm-up, pacing and stall figures of the run, which this account adds its RTT from the
   *                     intended send times to
   */
  FloodReport finish(long sendEndNanos, FloodParameters parameters, FloodReport.Fidelity measured) {
    closeDrainInterval(sendEndNanos);
    ReplyKind mode = mode();
    LossTracker.Counts counts = tracker.counts();
    long received;
    long unexpected;
    switch (mode) {
      case NONE:
        received = 0;
        unexpected = foreign + plainReplies + sequencedReplies;
        break;
      case COUNTED:
        received = Math.min(plainReplies, sent);
        unexpected = foreign + plainReplies - received;
        break;
      default:
        received = counts.received();
        unexpected = foreign + plainReplies;
        break;
    }
    FloodReport report = new FloodReport(target, mode, sent, received, counts.duplicates(), counts.reordered(),
        unexpected, (sendEndNanos - startNanos) / 1e9,
        (Math.max(sendEndNanos, lastReplyNanos) - startNanos) / 1e9, parameters.rcvbufGranted(),
        parameters.sndbufGranted(), rtt.snapshot(), List.copyOf(intervals), sendFailures, sendFailure, replyBytes,
        parameters, measured.withRttFromIntended(
            mode == ReplyKind.SEQUENCED && pacer.paced() && rttFromIntended.count() > 0 ? rttFromIntended.snapshot()
                : null), null, null);
    if (mode != ReplyKind.NONE) {
      meters.datagramsLost.increment(report.lost());
    }
    return report;
  }
}
