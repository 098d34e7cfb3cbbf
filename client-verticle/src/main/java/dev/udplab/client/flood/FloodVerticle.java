package dev.udplab.client.flood;

import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.ClientSockets;
import dev.udplab.client.net.ConnectedSocket;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.net.UdpGso;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.common.cli.CommandException;
import dev.udplab.common.net.DatagramChannels;
import dev.udplab.common.net.ProcNetUdp;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One flood: K sockets bound and connected to the target on start, then {@link #warmUp()}: an optional warm-up at
 * the target rate (counted apart, left out of the report) and a short settle while its replies come back; then
 * {@link #run()}: the measured send phase, the drain, and the report. A caller may read the server's counters between
 * the two ({@code --server-metrics}), so that the warm-up is not in them; {@link #run()} alone does both. Everything
 * runs on the sockets' event loop; {@link #stopSending()} may be called from any thread.
 *
 * <p>Sending, by rate (see {@link SendPacer}): up to {@link SendPacer#PER_DATAGRAM_MAX_RATE} one periodic task
 * wakes at each datagram's own time (Netty's epoll loop arms a timerfd or {@code epoll_pwait2} for short deadlines;
 * the loop thread's timer slack is lowered to 1 ns so the kernel does not round them up by 50 us) and sends the
 * datagram on its own; above that rate a 1 ms tick sends its batch; unpaced, a batch per turn of the event loop. A
 * batch goes to the sockets in contiguous runs ({@link SendDealer}), each run cut into writes of up to
 * {@code segmentsPerWrite} datagrams (UDP GSO where the path allows, see {@link UdpGso}). Each write is one
 * {@code send(2)} of a reused direct buffer on the connected socket ({@link ConnectedSocket}): no object per
 * datagram, the clock read once per write. Replies come through {@link FloodReplyReader}, first in each pipeline.
 * A {@link StallMeter} on the same loop measures how late the loop itself runs, the flood's self-check.
 */
public final class FloodVerticle extends VerticleBase {

  /** A wake this little before its datagram's time waits for it instead of sleeping again. */
  static final long SPIN_NANOS = 2_000;
  /** Longest wait after the warm-up for its replies before the run starts. */
  static final long SETTLE_MAX_NANOS = 200_000_000L;
  /** How long an unpaced sender waits when the socket's send buffer is full. */
  static final long FULL_BACKOFF_NANOS = 100_000L;
  /** The warm-up's meters: no registry, so it is counted in no {@code udp_client_*} meter. */
  private static final ClientMetrics.Target UNCOUNTED =
      new ClientMetrics(new CompositeMeterRegistry()).target("warm-up");

  private enum Phase { IDLE, WARMUP, SETTLE, READY, RUN, DRAIN, DONE }

  private final FloodOptions options;
  private final ClientMetrics.Target meters;
  private final Consumer<FloodProgress> progress;
  private final List<DatagramSocket> sockets = new ArrayList<>();
  private final Promise<Void> warmedUp = Promise.promise();
  private final Promise<FloodReport> result = Promise.promise();
  private final byte[] header = new byte[FloodPayload.HEADER_BYTES];
  private final StallMeter stalls = new StallMeter();
  private final Runnable paceTask = this::sendPaced;
  private final Runnable batchTask = this::sendBatch;
  private volatile SocketBuffers.Granted granted;
  private volatile UdpGso.Decision gso;
  private volatile int pathMtu = -1;
  private DatagramChannel[] channels;
  private ConnectedSocket[] connected;
  private DatagramSocketMetrics[] socketMetrics;
  private EventLoop loop;
  private ByteBuf sendBuffer;
  private int segmentsPerWrite = 1;
  private FloodPayload payload;
  private Phase phase = Phase.IDLE;
  private FloodAccount account;
  private FloodAccount warmupAccount;
  private double warmupSeconds;
  private SendSchedule schedule;
  private SendTimings timings;
  private SendDealer dealer;
  private ScheduledFuture<?> sender;
  private ScheduledFuture<?> settleTimer;
  private long nextWakeNanos;
  private long sendEndNanos;
  private boolean stopped;
  private boolean runAsked;
  /** The warm-up's replies already in {@code udp_client_warmup_datagrams_received_total}. */
  private long warmupRepliesMetered;
  private ScheduledFuture<?> intervalTimer;
  /** The first error the reply readers reported (an ICMP port unreachable on a connected socket, say), or null. */
  private volatile Throwable readError;

  /** Progress seen at each interval: the interval just closed and the totals so far. */
  public record FloodProgress(FloodReport.Interval interval, long totalSent, long totalReceived, boolean replies) {
  }

  public FloodVerticle(FloodOptions options, ClientMetrics.Target meters, Consumer<FloodProgress> progress) {
    this.options = options;
    this.meters = meters;
    this.progress = progress;
  }

  @Override
  public Future<?> start() {
    payload = new FloodPayload(options.sizeBytes());
    InetSocketAddress targetAddress = new InetSocketAddress(options.target().address(), options.target().port());
    int k = options.sockets();
    channels = new DatagramChannel[k];
    connected = new ConnectedSocket[k];
    socketMetrics = new DatagramSocketMetrics[k];
    List<Future<DatagramSocket>> bound = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      DatagramSocket socket = ClientSockets.create(vertx, options.buffers(), options.target());
      // the reply readers see the channel's errors first (see onReadError); nothing reaches Vert.x's handler
      socket.exceptionHandler(e -> { });
      sockets.add(socket);
      channels[i] = DatagramChannels.channelOf(socket);
      socketMetrics[i] = DatagramChannels.vertxMetricsOf(socket);
      bound.add(ClientSockets.listen(socket, options.target(), options.bind(), i));
    }
    return Future.all(bound).compose(all -> {
      List<Future<ConnectedSocket>> connecting = new ArrayList<>();
      for (DatagramChannel channel : channels) {
        connecting.add(ConnectedSocket.connect(channel, targetAddress).recover(e -> Future.failedFuture(
            CommandException.environment("cannot connect a UDP socket to " + options.target().label() + ": "
                + e.getMessage()))));
      }
      return Future.all(connecting);
    }).map(all -> {
      for (int i = 0; i < k; i++) {
        connected[i] = all.resultAt(i);
      }
      configure();
      return all;
    });
  }

  /** Once bound and connected: buffers, GSO from the path, the send buffer, the reply readers. */
  private void configure() {
    // every socket asked for the same sizes, so the first one's are the run's
    granted = SocketBuffers.Granted.of(channels[0]);
    loop = channels[0].eventLoop();
    pathMtu = connected[0].pathMtu();
    try {
      gso = UdpGso.decide(options.gso(), UdpGso.supported(vertx) && connected[0].isNative(), pathMtu,
          options.target(), options.sizeBytes());
    } catch (IllegalStateException e) {
      throw CommandException.environment(e.getMessage());
    }
    boolean perDatagram = new SendPacer(options.rate(), 0).perDatagram();
    segmentsPerWrite = perDatagram ? 1 : gso.segmentsPerWrite();
    if (segmentsPerWrite > 1) {
      for (ConnectedSocket socket : connected) {
        socket.segmentSize(options.sizeBytes());
      }
    }
    int size = payload.sizeBytes();
    sendBuffer = Unpooled.directBuffer(size * segmentsPerWrite);
    for (int i = 0; i < segmentsPerWrite; i++) {
      payload.fill(sendBuffer, i * size);
    }
    // Replies never reach Vert.x's handler: the reader, first in each pipeline, takes them.
    for (int i = 0; i < channels.length; i++) {
      int flow = i;
      channels[i].pipeline().addFirst(new FloodReplyReader(
          (sender, data, nowNanos) -> onReply(sender, data, nowNanos, flow), this::onReadError, socketMetrics[i]));
    }
  }

  /** The buffer sizes the kernel granted this flood's sockets, read back from them once bound. */
  public SocketBuffers.Granted granted() {
    return granted;
  }

  /** What {@code --gso} came to on this path (known once started). */
  public UdpGso.Decision gso() {
    return gso;
  }

  /** Datagrams per write in this run: 1 when paced per datagram or without GSO. */
  public int segmentsPerWrite() {
    return segmentsPerWrite;
  }

  /** The path MTU to the target as the connected socket reports it, -1 when unknown. */
  public int pathMtu() {
    return pathMtu;
  }

  /**
   * Sends the warm-up (none with {@code --warmup 0}) and waits for its replies; the future completes when the run
   * may start. Optional: {@link #run()} warms up first when this was not called.
   */
  public Future<Void> warmUp() {
    context.runOnContext(v -> {
      if (phase == Phase.IDLE) {
        begin();
      }
    });
    return warmedUp.future();
  }

  /** Starts the flood (after the warm-up); the future completes with the report after the drain. */
  public Future<FloodReport> run() {
    context.runOnContext(v -> {
      runAsked = true;
      if (phase == Phase.IDLE) {
        begin();
      } else if (phase == Phase.READY) {
        startRun();
      }
    });
    return result.future();
  }

  /** Ends the send phase early (Ctrl-C); the drain and the report follow as usual. */
  public void stopSending() {
    context.runOnContext(v -> {
      stopped = true;
      if (phase == Phase.WARMUP || phase == Phase.RUN) {
        endSending();
      }
    });
  }

  /** Runs {@code task} on the flood's event loop, between its sends and reads (for tests: a stall on purpose). */
  void onEventLoop(Runnable task) {
    loop.execute(task);
  }

  private void begin() {
    fineTimerSlack();
    stalls.start(loop);
    if (!options.warmup().isZero() && !stopped) {
      phase = Phase.WARMUP;
      // never more than the run itself: an unpaced warm-up would otherwise send many times --count
      warmupAccount = startPhase(UNCOUNTED, options.count(), options.warmup().toNanos(), false);
    } else {
      warmedUp();
    }
  }

  /**
   * Short deadlines on this loop are armed with {@code epoll_pwait2}, whose timeout the kernel may round up by the
   * thread's timer slack (50 us by default): too coarse for a 10 us gap. Linux only; elsewhere the default stays.
   */
  private static void fineTimerSlack() {
    try {
      // only /proc/TID has the file; a thread may set its own without privileges
      Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      Files.writeString(Path.of("/proc", self.getFileName().toString(), "timerslack_ns"), "1");
    } catch (IOException | RuntimeException e) {
      // not Linux, or no /proc: pacing is coarser, and the report's gap error says by how much
    }
  }

  private FloodAccount startPhase(ClientMetrics.Target phaseMeters, long count, long durationNanos,
      boolean keepIntervals) {
    long first = account == null ? 0 : account.nextSequence();
    long now = System.nanoTime();
    schedule = new SendSchedule(count, durationNanos, options.rate(), now);
    account = new FloodAccount(options.target().label(), options.expect(), phaseMeters, now, channels.length, first,
        schedule.pacer(), keepIntervals);
    account.reserve(count);
    timings = new SendTimings(options.rate());
    dealer = new SendDealer(channels.length, segmentsPerWrite);
    if (stopped) {
      endSending();
    } else if (schedule.pacer().perDatagram()) {
      schedulePaced(schedule.pacer().periodNanos());
    } else if (schedule.pacer().paced()) {
      sender = loop.scheduleAtFixedRate(batchTask, 0, SendPacer.TICK_NANOS, TimeUnit.NANOSECONDS);
    } else {
      // a batch per turn of the event loop: a task resubmitting itself would run until the loop's 1 s quantum
      sender = loop.scheduleWithFixedDelay(batchTask, 0, 1, TimeUnit.NANOSECONDS);
    }
    return account;
  }

  /** The warm-up's replies are in (or it had none): the run may start, at once if it was asked for. */
  private void warmedUp() {
    if (settleTimer != null) {
      settleTimer.cancel(false);
      settleTimer = null;
    }
    if (warmupAccount != null) {
      meters.warmupSent.increment(warmupAccount.sent());
      warmupRepliesMetered = warmupAccount.receivedSoFar();
      meters.warmupReceived.increment(warmupRepliesMetered);
    }
    phase = Phase.READY;
    warmedUp.tryComplete();
    if (runAsked) {
      startRun();
    }
  }

  private void startRun() {
    phase = Phase.RUN;
    // timers on the loop itself, not Vert.x's: this may run from a Netty task, outside any Vert.x context
    long interval = options.interval().toNanos();
    if (interval > 0) {
      intervalTimer = loop.scheduleAtFixedRate(this::reportInterval, interval, interval, TimeUnit.NANOSECONDS);
    }
    startPhase(meters, options.count(), options.duration().toNanos(), interval > 0);
  }

  /** (Re)starts the per-datagram wake-ups, the first {@code delayNanos} from now, then one gap apart. */
  private void schedulePaced(long delayNanos) {
    if (sender != null) {
      sender.cancel(false);
    }
    long period = schedule.pacer().periodNanos();
    nextWakeNanos = System.nanoTime() + delayNanos;
    sender = loop.scheduleAtFixedRate(paceTask, delayNanos, period, TimeUnit.NANOSECONDS);
  }

  /** A per-datagram wake-up: normally one datagram, at its own time. */
  private void sendPaced() {
    if (phase != Phase.WARMUP && phase != Phase.RUN) {
      return;
    }
    long period = schedule.pacer().periodNanos();
    long wake = nextWakeNanos;
    nextWakeNanos += period;
    long now = System.nanoTime();
    long start = schedule.startNanos();
    long k = account.attempted();
    long intended = start + schedule.pacer().intendedNanos(k);
    if (now < intended) {
      if (intended - now > SPIN_NANOS) {
        // the wake-ups run a little ahead (the period is rounded down to the nanosecond): start them anew
        schedulePaced(intended - now);
        return;
      }
      while ((now = System.nanoTime()) < intended) {
        Thread.onSpinWait();
      }
    }
    if (schedule.over(now, k)) {
      endSending();
      return;
    }
    long due = schedule.due(now, k);
    while (due > 0) {
      k = account.attempted();
      if (!write((int) (k % channels.length), 1, now)) {
        timings.breakGap();
        break;
      }
      schedule.sent(1);
      timings.record(now - start, schedule.pacer().intendedNanos(k));
      if (--due > 0) {
        now = System.nanoTime();
      }
    }
    if (schedule.over(now, account.attempted())) {
      endSending();
    } else if (now - wake > 4 * period + SendPacer.TICK_NANOS) {
      // after a stall Netty would run every missed wake-up back to back: wake once per gap from now instead
      schedulePaced(period);
    }
  }

  /** A batched tick, or an unpaced turn: the due datagrams in contiguous runs per socket, a write per run piece. */
  private void sendBatch() {
    if (phase != Phase.WARMUP && phase != Phase.RUN) {
      return;
    }
    long now = System.nanoTime();
    if (schedule.over(now, account.attempted())) {
      endSending();
      return;
    }
    long due = schedule.due(now, account.attempted());
    dealer.startTick(due);
    boolean full = false;
    while (dealer.hasNext()) {
      int datagrams = dealer.nextWriteSize();
      if (!write(dealer.socket(), datagrams, now)) {
        full = true;
        break;
      }
      dealer.wrote(datagrams);
      now = System.nanoTime();
    }
    schedule.sent(dealer.dealt());
    if (schedule.over(now, account.attempted())) {
      endSending();
    } else if (full && !schedule.pacer().paced()) {
      // the send buffer is full (a slow link): wait a little instead of spinning the loop on it
      sender.cancel(false);
      sender = loop.scheduleWithFixedDelay(batchTask, FULL_BACKOFF_NANOS, 1, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Sends the next {@code datagrams} datagrams as one write on socket {@code index}, stamped with {@code nowNanos}.
   *
   * @return false when the socket's send buffer had no room: nothing was spent, try again later
   */
  private boolean write(int index, int datagrams, long nowNanos) {
    long first = account.nextSequence();
    long sendNanos = nowNanos - schedule.startNanos();
    int size = payload.sizeBytes();
    for (int i = 0; i < datagrams; i++) {
      payload.stamp(sendBuffer, i * size, first + i, sendNanos);
    }
    int length = datagrams * size;
    int written;
    try {
      written = connected[index].send(sendBuffer, length);
    } catch (IOException earlier) {
      if (earlier instanceof PortUnreachableException) {
        // the kernel's word for an earlier datagram: nothing listens there (see readError)
        onReadError(earlier);
      }
      // connected, an ICMP error for an earlier datagram fails this send; unconnected it would have gone: again
      try {
        written = connected[index].send(sendBuffer, length);
      } catch (IOException e) {
        account.attempted(datagrams);
        account.sendFailed(datagrams, e);
        return true;
      }
    }
    if (written == 0) {
      return false;
    }
    account.attempted(datagrams);
    account.sent(datagrams, size);
    if (socketMetrics[index] != null) {
      socketMetrics[index].bytesWritten(null, null, length);
    }
    return true;
  }

  private void endSending() {
    if (sender != null) {
      sender.cancel(false);
      sender = null;
    }
    long now = System.nanoTime();
    if (phase == Phase.WARMUP) {
      warmupSeconds = (now - schedule.startNanos()) / 1e9;
      phase = Phase.SETTLE;
      if (warmupAccount.receivedSoFar() >= warmupAccount.sent() || warmupAccount.mode() == ReplyKind.NONE) {
        warmedUp();
      } else {
        settleTimer = loop.schedule(this::warmedUp,
            Math.min(SETTLE_MAX_NANOS, options.drain().toNanos()), TimeUnit.NANOSECONDS);
      }
      return;
    }
    phase = Phase.DRAIN;
    sendEndNanos = now;
    if (intervalTimer != null) {
      intervalTimer.cancel(false);
    }
    // the last interval of the send phase ends with the last send, so its rates are over its real length
    if (account.intervalPending()) {
      emit(account.closeInterval(sendEndNanos));
    }
    loop.schedule(this::finish, Math.max(1, options.drain().toNanos()), TimeUnit.NANOSECONDS);
  }

  private void onReadError(Throwable cause) {
    if (readError == null) {
      readError = cause;
    }
  }

  /** The first error a reply reader reported, or null: the kernel's word on why replies did not come. */
  public Throwable readError() {
    return readError;
  }

  private void onReply(InetSocketAddress sender, ByteBuf data, long nowNanos, int flow) {
    if (account == null || phase == Phase.DONE) {
      return;
    }
    if (!options.target().isSource(sender)) {
      account.foreign();
      return;
    }
    int length = data.readableBytes();
    int headerLength = Math.min(length, FloodPayload.HEADER_BYTES);
    data.getBytes(data.readerIndex(), header, 0, headerLength);
    long sequence = account.decodes() ? FloodPayload.decodeSequence(header, headerLength) : -1;
    if (warmupAccount != null && warmupAccount != account && warmupAccount.owns(sequence)) {
      warmupAccount.reply(sequence, header, length, nowNanos, flow);
      return;
    }
    account.reply(sequence, header, length, nowNanos, flow);
    if (phase == Phase.SETTLE && warmupAccount.receivedSoFar() >= warmupAccount.sent()) {
      warmedUp();
    }
  }

  private void reportInterval() {
    if (phase != Phase.RUN) {
      return;
    }
    emit(account.closeInterval(System.nanoTime()));
  }

  private void emit(FloodReport.Interval interval) {
    progress.accept(new FloodProgress(interval, account.sent(), account.receivedSoFar(),
        account.mode() != ReplyKind.NONE));
  }

  private void finish() {
    stalls.stop();
    phase = Phase.DONE;
    FloodReport.Interval drain = account.closeDrainInterval(sendEndNanos);
    FloodReport.Warmup warmup = warmupAccount == null ? new FloodReport.Warmup(0, 0, 0)
        : new FloodReport.Warmup(warmupAccount.sent(), warmupAccount.receivedSoFar(), warmupSeconds);
    if (warmupAccount != null) {
      meters.warmupReceived.increment(warmupAccount.receivedSoFar() - warmupRepliesMetered); // late replies
    }
    SendPacer pacer = schedule.pacer();
    String pacing = !pacer.paced() ? FloodReport.Pacing.UNPACED
        : pacer.perDatagram() ? FloodReport.Pacing.PER_DATAGRAM : FloodReport.Pacing.BATCHED;
    FloodReport report = account.finish(sendEndNanos, options.parameters(segmentsPerWrite, granted),
        new FloodReport.Fidelity(warmup, timings.snapshot(pacing), stalls.snapshot(), null));
    if (drain != null) {
      // the replies of the drain: without them the printed lines would not add up to the summary
      progress.accept(new FloodProgress(drain, report.sent(), report.received(), report.replies()));
    }
    result.complete(report);
  }

  /**
   * Datagrams the kernel dropped because this flood's own receive queues were full (-1 where the kernel does not
   * say): the part of the loss that happened at the client.
   */
  public long clientDrops() {
    if (!ProcNetUdp.system().available()) {
      return -1;
    }
    Set<Integer> ports = new HashSet<>();
    for (DatagramSocket socket : sockets) {
      ports.add(socket.localAddress().port());
    }
    return ProcNetUdp.system().ownSockets(ports).drops();
  }

  /** Send failures (the kernel refused the datagram); they count neither as sent nor as lost. */
  public long sendFailures() {
    return account == null ? 0 : account.sendFailures();
  }

  @Override
  public Future<?> stop() {
    stalls.stop();
    if (intervalTimer != null) {
      intervalTimer.cancel(false);
    }
    if (sender != null) {
      sender.cancel(false);
    }
    if (sendBuffer != null) {
      sendBuffer.release();
    }
    List<Future<Void>> closed = new ArrayList<>();
    for (DatagramSocket socket : sockets) {
      closed.add(socket.close());
    }
    return Future.all(closed);
  }
}
