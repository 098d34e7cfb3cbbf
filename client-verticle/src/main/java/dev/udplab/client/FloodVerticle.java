package dev.udplab.client;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One flood: K sockets bound on start, then {@link #run()} sends on a 1 ms tick what {@link SendSchedule}
 * allows (paced: the pacer's deficit; unpaced: one bounded batch) and reads replies all along. A tick sends for at most half of
 * it, leaving the event loop time to read (batched by {@link DatagramReads}); batches chained back to
 * back with {@code runOnContext} starved the reads. After the last send it waits {@code --drain} and
 * completes with the report. Everything runs on this verticle's event loop; {@link #stopSending()} may
 * be called from any thread.
 */
public final class FloodVerticle extends VerticleBase {

  /** Longest time one tick may spend sending. */
  static final long SEND_BUDGET_NANOS = SendPacer.TICK_NANOS / 2;

  private final FloodOptions options;
  private final ClientMetrics.Target meters;
  private final SocketBuffers.Granted granted;
  private final Consumer<FloodProgress> progress;
  private final List<DatagramSocket> sockets = new ArrayList<>();
  private final Promise<FloodReport> result = Promise.promise();
  private final byte[] header = new byte[FloodPayload.HEADER_BYTES];
  // One handler for every send: a lambda per datagram would be one more allocation on the hot path.
  private final Handler<AsyncResult<Void>> onSent = this::onSent;
  private FloodPayload payload;
  private FloodAccount account;
  private SendSchedule schedule;
  private long startNanos;
  private long sendEndNanos;
  private int inFlight;
  private boolean sending;
  private boolean stopped;
  private boolean draining;
  private boolean finished;
  private long tickTimer = -1;
  private long intervalTimer = -1;

  /** Progress seen at each interval: the interval just closed and the totals so far. */
  public record FloodProgress(double fromSeconds, FloodReport.Interval interval, long totalSent, long totalReceived,
      boolean replies) {
  }

  /** {@code granted}: the buffer sizes the kernel grants {@code options.buffers()}, asked once by the caller. */
  public FloodVerticle(FloodOptions options, SocketBuffers.Granted granted, ClientMetrics.Target meters,
      Consumer<FloodProgress> progress) {
    this.options = options;
    this.granted = granted;
    this.meters = meters;
    this.progress = progress;
  }

  @Override
  public Future<?> start() {
    payload = new FloodPayload(options.sizeBytes());
    List<Future<DatagramSocket>> bound = new ArrayList<>();
    for (int i = 0; i < options.sockets(); i++) {
      DatagramSocket socket = ClientSockets.create(vertx, options.buffers(), options.target());
      socket.handler(this::onPacket);
      // ICMP errors and the like: the datagram is simply not answered, the count shows it
      socket.exceptionHandler(e -> { });
      sockets.add(socket);
      bound.add(ClientSockets.listen(socket, options.target()));
    }
    return Future.all(bound);
  }

  /** Starts the flood; the future completes with the report after the drain. */
  public Future<FloodReport> run() {
    context.runOnContext(v -> begin());
    return result.future();
  }

  /** Ends the send phase early (Ctrl-C); the drain and the report follow as usual. */
  public void stopSending() {
    context.runOnContext(v -> {
      stopped = true;
      if (sending) {
        endSending();
      }
    });
  }

  private void begin() {
    startNanos = System.nanoTime();
    account = new FloodAccount(options.target().label(), options.expect(), meters, startNanos);
    schedule = new SendSchedule(options.count(), options.duration().toNanos(), options.rate(), startNanos);
    sending = true;
    intervalTimer = vertx.setPeriodic(options.interval().toMillis() == 0 ? 1 : options.interval().toMillis(),
        id -> reportInterval());
    if (stopped) {
      endSending();
    } else {
      tickTimer = vertx.setPeriodic(1, id -> sendDue());
      sendDue();
    }
  }

  private void sendDue() {
    if (!sending) {
      return;
    }
    long now = System.nanoTime();
    if (schedule.over(now, account.attempted())) {
      endSending();
      return;
    }
    long due = schedule.due(now, account.attempted(), inFlight);
    long done = 0;
    while (done < due && ((done & 15) != 0 || System.nanoTime() - now < SEND_BUDGET_NANOS)) {
      sendOne();
      done++;
    }
    schedule.sent(done);
    if (schedule.over(now, account.attempted())) {
      endSending();
    }
  }

  private void sendOne() {
    long sequence = account.nextSequence();
    Buffer datagram = Buffer.buffer(payload.encode(sequence, System.nanoTime() - startNanos));
    DatagramSocket socket = sockets.get((int) (sequence % sockets.size()));
    inFlight++;
    socket.send(datagram, options.target().port(), options.target().ip()).onComplete(onSent);
  }

  private void onSent(AsyncResult<Void> ar) {
    inFlight--;
    if (ar.succeeded()) {
      account.sent(payload.sizeBytes());
    } else {
      account.sendFailed();
    }
    if (!sending && draining && inFlight == 0 && sendEndNanos == 0) {
      startDrain();
    }
  }

  private void endSending() {
    sending = false;
    draining = true;
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    if (inFlight == 0) {
      startDrain();
    }
  }

  private void startDrain() {
    sendEndNanos = System.nanoTime();
    vertx.setTimer(Math.max(1, options.drain().toMillis()), id -> finish());
  }

  private void onPacket(DatagramPacket packet) {
    if (finished || account == null) {
      return;
    }
    long now = System.nanoTime();
    if (!options.target().isSource(packet.sender().hostAddress(), packet.sender().port())) {
      account.foreign();
      return;
    }
    Buffer data = packet.data();
    int headerLength = Math.min(data.length(), FloodPayload.HEADER_BYTES);
    data.getBytes(0, headerLength, header, 0);
    account.reply(header, headerLength, data.length(), now);
  }

  private void reportInterval() {
    if (finished) {
      return;
    }
    double from = account.intervalStartSeconds();
    FloodReport.Interval interval = account.closeInterval(System.nanoTime());
    progress.accept(new FloodProgress(from, interval, account.sent(), account.receivedSoFar(),
        account.mode() != FloodReport.Mode.SEND_ONLY));
  }

  private void finish() {
    vertx.cancelTimer(intervalTimer);
    finished = true;
    double from = account.intervalStartSeconds();
    boolean pending = account.intervalPending();
    FloodReport report = account.finish(sendEndNanos, granted.receiveBytes(), granted.sendBytes());
    if (pending) {
      // the last, partial interval: without it the printed lines would not add up to the summary
      progress.accept(new FloodProgress(from, report.intervals().get(report.intervals().size() - 1), report.sent(),
          report.received(), report.mode() != FloodReport.Mode.SEND_ONLY));
    }
    result.complete(report);
  }

  /**
   * Datagrams the kernel dropped because this flood's own receive queues were full (-1 if unknown):
   * the part of the loss that happened at the client.
   */
  public long clientDrops() {
    Set<Integer> ports = new HashSet<>();
    for (DatagramSocket socket : sockets) {
      ports.add(socket.localAddress().port());
    }
    return KernelUdpDrops.read(ports);
  }

  /** Send failures (the kernel refused the datagram); they count neither as sent nor as lost. */
  public long sendFailures() {
    return account == null ? 0 : account.sendFailures();
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closed = new ArrayList<>();
    for (DatagramSocket socket : sockets) {
      closed.add(socket.close());
    }
    return Future.all(closed);
  }
}
