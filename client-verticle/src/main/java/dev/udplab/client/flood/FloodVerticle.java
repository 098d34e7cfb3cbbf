package dev.udplab.client.flood;

import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.ClientSockets;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.net.UdpGso;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.common.net.DatagramChannels;
import dev.udplab.common.net.ProcNetUdp;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One flood: K sockets bound on start, then {@link #run()} sends on a 1 ms tick what {@link SendSchedule}
 * allows (paced: the pacer's deficit; unpaced: one bounded batch) and reads replies all along. A tick sends for at
 * most half of it, leaving the event loop time to read (whole datagrams in batches, see
 * {@link DatagramChannels#readWholeDatagramsInBatches}); batches chained back to back with {@code runOnContext}
 * starved the reads. After the last send it waits {@code --drain} and completes with the report. Everything runs
 * on this verticle's event loop; {@link #stopSending()} may be called from any thread.
 *
 * <p>Datagrams go through the Netty channels under the Vert.x sockets: a tick's datagrams are written, then each
 * channel is flushed once, so Netty's epoll transport hands them to the kernel in one {@code sendmmsg}, and
 * replies come through {@link FloodReplyReader}. Vert.x's {@code DatagramSocket.send} flushed every datagram on
 * its own, parsed the target's address each time and wrapped each reply in two copies, so the flood's event loop
 * cost more CPU than the echo server it measured and the client became the knee (bench/RESULTS.md has the
 * figures). With {@code segmentsPerWrite} above 1 (UDP GSO, see {@link UdpGso}) one write carries a run of up to
 * that many datagrams, cut by the kernel.
 */
public final class FloodVerticle extends VerticleBase {

  /** Longest time one tick may spend sending. */
  static final long SEND_BUDGET_NANOS = SendPacer.TICK_NANOS / 2;

  private final FloodOptions options;
  private final ClientMetrics.Target meters;
  private volatile SocketBuffers.Granted granted;
  private final Consumer<FloodProgress> progress;
  private final List<DatagramSocket> sockets = new ArrayList<>();
  private DatagramChannel[] channels;
  private DatagramSocketMetrics[] socketMetrics;
  private ChannelFutureListener[] onWritten;
  private InetSocketAddress targetAddress;
  /** Datagrams per write: more than 1 with UDP segmentation offload (see {@link UdpGso}). */
  private final int segmentsPerWrite;
  private SendDealer dealer;
  private final Promise<FloodReport> result = Promise.promise();
  private final byte[] header = new byte[FloodPayload.HEADER_BYTES];
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
  /** The first error the reply readers reported (an ICMP port unreachable on a connected socket, say), or null. */
  private volatile Throwable readError;

  /** Progress seen at each interval: the interval just closed and the totals so far. */
  public record FloodProgress(FloodReport.Interval interval, long totalSent, long totalReceived, boolean replies) {
  }

  public FloodVerticle(FloodOptions options, int segmentsPerWrite, ClientMetrics.Target meters,
      Consumer<FloodProgress> progress) {
    this.options = options;
    this.segmentsPerWrite = segmentsPerWrite;
    this.meters = meters;
    this.progress = progress;
  }

  @Override
  public Future<?> start() {
    payload = new FloodPayload(options.sizeBytes());
    targetAddress = new InetSocketAddress(options.target().address(), options.target().port());
    int k = options.sockets();
    channels = new DatagramChannel[k];
    socketMetrics = new DatagramSocketMetrics[k];
    onWritten = new ChannelFutureListener[k];
    dealer = new SendDealer(k, segmentsPerWrite);
    List<Future<DatagramSocket>> bound = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      DatagramSocket socket = ClientSockets.create(vertx, options.buffers(), options.target());
      // the reply readers see the channel's errors first (see onReadError); nothing reaches Vert.x's handler
      socket.exceptionHandler(e -> { });
      sockets.add(socket);
      channels[i] = DatagramChannels.channelOf(socket);
      socketMetrics[i] = DatagramChannels.vertxMetricsOf(socket);
      int index = i;
      // one listener per socket, not a lambda per datagram: one allocation less on the hot path
      onWritten[i] = written -> onWritten(written, index, 1);
      bound.add(ClientSockets.listen(socket, options.target(), options.bind(), i));
    }
    return Future.all(bound).map(all -> {
      // every socket asked for the same sizes, so the first one's are the run's
      granted = SocketBuffers.Granted.of(channels[0]);
      // Replies never reach Vert.x's handler: the reader, first in each pipeline, takes them.
      for (int i = 0; i < k; i++) {
        int flow = i;
        channels[i].pipeline().addFirst(new FloodReplyReader(
            (sender, data, nowNanos) -> onReply(sender, data, nowNanos, flow), this::onReadError, socketMetrics[i]));
      }
      return all;
    });
  }

  /** The buffer sizes the kernel granted this flood's sockets, read back from them once bound. */
  public SocketBuffers.Granted granted() {
    return granted;
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
    account = new FloodAccount(options.target().label(), options.expect(), meters, startNanos, channels.length,
        !options.interval().isZero());
    schedule = new SendSchedule(options.count(), options.duration().toNanos(), options.rate(), startNanos);
    sending = true;
    if (!options.interval().isZero()) {
      intervalTimer = vertx.setPeriodic(options.interval().toMillis(), id -> reportInterval());
    }
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
    // contiguous runs per socket (see SendDealer), each run one sendmmsg
    dealer.startTick(due);
    int writes = 0;
    // the clock is read once per 16 single-datagram writes, and before every segmented one
    while (dealer.hasNext()
        && ((segmentsPerWrite == 1 && (writes & 15) != 0) || System.nanoTime() - now < SEND_BUDGET_NANOS)) {
      int datagrams = dealer.nextWriteSize();
      write(dealer.socket(), datagrams);
      dealer.wrote(datagrams);
      writes++;
    }
    long done = dealer.dealt();
    if (done > 0) {
      // in the order the runs were dealt, so they leave in sequence
      for (int i = 0; i < channels.length; i++) {
        channels[(dealer.firstSocket() + i) % channels.length].flush();
      }
    }
    schedule.sent(done);
    if (schedule.over(now, account.attempted())) {
      endSending();
    }
  }

  /**
   * Queues {@code datagrams} consecutive datagrams on socket {@code index} as one write, segmented by the kernel
   * when there are several; the tick flushes.
   */
  private void write(int index, int datagrams) {
    DatagramChannel channel = channels[index];
    int size = payload.sizeBytes();
    ByteBuf content = channel.alloc().directBuffer(size * datagrams);
    for (int i = 0; i < datagrams; i++) {
      content.writeBytes(payload.encode(account.nextSequence(), System.nanoTime() - startNanos));
    }
    inFlight += datagrams;
    if (datagrams == 1) {
      channel.write(new DatagramPacket(content, targetAddress), channel.newPromise().addListener(onWritten[index]));
    } else {
      // the kernel sends all segments or none, so the write's outcome is each datagram's
      channel.write(new SegmentedDatagramPacket(content, size, targetAddress),
          channel.newPromise().addListener((ChannelFuture written) -> onWritten(written, index, datagrams)));
    }
  }

  private void onWritten(ChannelFuture written, int index, int datagrams) {
    inFlight -= datagrams;
    if (written.isSuccess()) {
      account.sent(datagrams, payload.sizeBytes());
      if (socketMetrics[index] != null) {
        socketMetrics[index].bytesWritten(null, null, (long) datagrams * payload.sizeBytes());
      }
    } else {
      account.sendFailed(datagrams, written.cause());
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
    if (intervalTimer >= 0) {
      vertx.cancelTimer(intervalTimer);
    }
    // the last interval of the send phase ends with the last send, so its rates are over its real length
    if (account.intervalPending()) {
      emit(account.closeInterval(sendEndNanos));
    }
    vertx.setTimer(Math.max(1, options.drain().toMillis()), id -> finish());
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
    if (finished || account == null) {
      return;
    }
    if (!options.target().isSource(sender)) {
      account.foreign();
      return;
    }
    int length = data.readableBytes();
    int headerLength = Math.min(length, FloodPayload.HEADER_BYTES);
    data.getBytes(data.readerIndex(), header, 0, headerLength);
    account.reply(header, headerLength, length, nowNanos, flow);
  }

  private void reportInterval() {
    if (finished || !sending) {
      return;
    }
    emit(account.closeInterval(System.nanoTime()));
  }

  private void emit(FloodReport.Interval interval) {
    progress.accept(new FloodProgress(interval, account.sent(), account.receivedSoFar(),
        account.mode() != ReplyKind.NONE));
  }

  private void finish() {
    finished = true;
    FloodReport.Interval drain = account.closeDrainInterval(sendEndNanos);
    FloodReport report = account.finish(sendEndNanos, options.parameters(segmentsPerWrite, granted));
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
    List<Future<Void>> closed = new ArrayList<>();
    for (DatagramSocket socket : sockets) {
      closed.add(socket.close());
    }
    return Future.all(closed);
  }
}
