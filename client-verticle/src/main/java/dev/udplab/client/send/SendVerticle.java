package dev.udplab.client.send;

import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.ClientSockets;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.common.cli.Durations;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.net.DatagramChannels;
import dev.udplab.common.net.Datagrams;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.SocketAddress;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The I/O of {@code send}: one socket per target, each message to every target in turn, replies printed to
 * {@code out}, missing replies to {@code err}. Matching, retries and timeouts are {@link ReplyTracker}'s.
 * Messages are handled one at a time, like the lab client: the next goes out when every target answered the
 * current one or was given up.
 */
public final class SendVerticle extends VerticleBase {

  private final SendOptions options;
  private final ClientMetrics metrics;
  private final PrintWriter out;
  private final PrintWriter err;
  private final List<HostPort> targets;
  private final DatagramSocket[] sockets;
  private final ClientMetrics.Target[] meters;
  private final ReplyTracker tracker;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private final Promise<Integer> completion = Promise.promise();
  private final long timeoutMillis;
  private boolean inputEnded;
  private boolean sendFailed;
  private int sendsInFlight;

  public SendVerticle(SendOptions options, ClientMetrics metrics, PrintWriter out, PrintWriter err) {
    this.options = options;
    this.metrics = metrics;
    this.out = out;
    this.err = err;
    this.targets = options.targets();
    this.sockets = new DatagramSocket[targets.size()];
    this.meters = new ClientMetrics.Target[targets.size()];
    this.tracker = new ReplyTracker(targets.size(), options.retries());
    this.timeoutMillis = options.timeout().toMillis();
  }

  @Override
  public Future<?> start() {
    List<Future<DatagramSocket>> bound = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      int index = i;
      HostPort target = targets.get(i);
      meters[i] = metrics.target(target.label());
      sockets[i] = ClientSockets.create(vertx, options.buffers(), target);
      sockets[i].handler(packet -> onPacket(index, packet));
      bound.add(ClientSockets.listen(sockets[i], target).onSuccess(socket -> {
        SocketBuffers.Granted granted = SocketBuffers.Granted.of(DatagramChannels.channelOf(socket));
        meters[index].socketBuffers(granted.receiveBytes(), granted.sendBytes());
      }));
    }
    return Future.all(bound);
  }

  /** A message to send, or (message null) the length of an input line too long to send, noted in its turn. */
  private record Queued(String message, long oversizedBytes) {
  }

  /** Queues one message for every target; callable from any thread once deployed. */
  public void submit(String message) {
    queue(new Queued(message, 0));
  }

  /** Notes, in input order, an input line of {@code bytes} that was skipped unread. Callable from any thread. */
  public void submitOversized(long bytes) {
    queue(new Queued(null, bytes));
  }

  private void queue(Queued queued) {
    context.runOnContext(v -> {
      queue.addLast(queued);
      pump();
    });
  }

  /** No more messages: the run completes when the queued ones are done. Callable from any thread. */
  public void endOfInput() {
    context.runOnContext(v -> {
      inputEnded = true;
      pump();
    });
  }

  /**
   * Completes with the exit code: 0 when every expected reply arrived, 1 when one never came (a failed send
   * included), 4 when a datagram that expected no reply could not be sent.
   */
  public Future<Integer> completion() {
    return completion.future();
  }

  private void pump() {
    while (sendsInFlight == 0 && tracker.outstanding() == 0) {
      Queued queued = queue.pollFirst();
      if (queued == null) {
        if (inputEnded) {
          completion.tryComplete(!tracker.missing().isEmpty() ? ExitCodes.NO_REPLY
              : sendFailed ? ExitCodes.ENVIRONMENT : ExitCodes.OK);
        }
        return;
      }
      String message = queued.message();
      if (message == null) {
        skippedLine(queued.oversizedBytes());
        continue;
      }
      if (message.isEmpty()) {
        // Netty skips zero-length datagrams yet reports them sent: say so rather than wait for a reply.
        err.println("skipped an empty line: Vert.x cannot send a zero-length datagram");
        continue;
      }
      Buffer payload = Buffer.buffer(message, "UTF-8");
      if (payload.length() > Datagrams.MAX_PAYLOAD_BYTES) {
        skippedLine(payload.length());
        continue;
      }
      for (int i = 0; i < targets.size(); i++) {
        transmit(i, options.expectReply() ? tracker.expect(i, message) : null, payload);
      }
    }
  }

  private void skippedLine(long bytes) {
    err.println("skipped a line of " + bytes + " bytes: a datagram holds at most " + Datagrams.MAX_PAYLOAD_BYTES);
  }

  private void transmit(int index, ReplyTracker.Request request, Buffer payload) {
    HostPort target = targets.get(index);
    int attempt = request == null ? 0 : tracker.sent(request, System.nanoTime());
    sendsInFlight++;
    sockets[index].send(payload, target.port(), target.ip()).onComplete(ar -> {
      sendsInFlight--;
      if (ar.succeeded()) {
        meters[index].datagramsSent.increment();
        meters[index].bytesSent.increment(payload.length());
        if (request != null && tracker.accepted(request, attempt, System.nanoTime())) {
          request.timerId = vertx.setTimer(timeoutMillis, id -> onTimeout(index, request, attempt, payload));
        }
      } else {
        err.println("could not send " + (request == null ? "a datagram" : "\"" + request.message + "\"") + " to "
            + target.display() + ": " + ar.cause().getMessage());
        sendFailed = true;
        if (request != null) {
          tracker.abandon(request);
          meters[index].datagramsLost.increment();
        }
      }
      pump();
    });
  }

  private void onPacket(int index, DatagramPacket packet) {
    long now = System.nanoTime();
    HostPort target = targets.get(index);
    SocketAddress sender = packet.sender();
    ClientMetrics.Target meter = meters[index];
    // What a connect()ed socket would do: only the address the request went to may answer.
    if (!target.isSource(sender.hostAddress(), sender.port())) {
      meter.datagramsUnexpected.increment();
      return;
    }
    ReplyTracker.Request request = options.expectReply() ? tracker.reply(index) : null;
    if (request == null) {
      meter.datagramsUnexpected.increment();
      return;
    }
    vertx.cancelTimer(request.timerId);
    long rttNanos = now - request.lastSentNanos();
    Buffer data = packet.data();
    meter.datagramsReceived.increment();
    meter.bytesReceived.increment(data.length());
    meter.recordRtt(rttNanos);
    out.println("reply from " + target.display() + " (" + String.format(Locale.ROOT, "%.3f", rttNanos / 1e6)
        + " ms): " + new String(data.getBytes(), StandardCharsets.UTF_8));
    pump();
  }

  private void onTimeout(int index, ReplyTracker.Request request, int attempt, Buffer payload) {
    switch (tracker.expire(request, attempt)) {
      case RETRY:
        meters[index].timeouts.increment();
        transmit(index, request, payload);
        break;
      case GIVE_UP:
        meters[index].timeouts.increment();
        meters[index].datagramsLost.increment();
        err.println("no reply from " + targets.get(index).display() + " to \"" + request.message + "\" within "
            + Durations.format(options.timeout()) + (request.attempts() > 1 ? " (" + request.attempts()
            + " attempts)" : ""));
        pump();
        break;
      default:
        break;
    }
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closed = new ArrayList<>();
    for (DatagramSocket socket : sockets) {
      if (socket != null) {
        closed.add(socket.close());
      }
    }
    return Future.join(closed);
  }
}
