package dev.udplab.server.socket;

import dev.udplab.server.guard.DropReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * The one promise every reply write of a socket carries, instead of a new promise and listener per datagram: it
 * never completes, it counts. Netty reports each write's outcome to it exactly once, in write order (the outbound
 * buffer completes its entries first in, first out: {@code trySuccess} when {@code sendmmsg}/{@code sendmsg} took
 * the datagram, {@code tryFailure} when the kernel refused it or the channel closed), so a FIFO of the sizes
 * written tells which reply each outcome is for, and {@code send_failed} stays exact. A write refused before it
 * reaches the outbound buffer (a closed channel) completes during {@link #write} itself and is matched to that write.
 *
 * <p>Counts are held and published to {@link ServerMetrics} once per read batch ({@link #publish}), or at once for
 * outcomes that arrive outside a batch (a flush Netty retries when the socket is writable again, a close).
 * Event loop only.
 */
final class ReplyOutcomes extends DefaultChannelPromise {
  private static final int INITIAL_PENDING = 256;

  private final ServerMetrics metrics;
  // writes the outbound buffer holds, oldest first: segments << 32 | bytes per segment
  private long[] pending = new long[INITIAL_PENDING];
  private int head;
  private int size;
  private boolean writing;
  private boolean completedInWrite;
  private long current;
  private boolean batchOpen;
  private long sentDatagrams;
  private long sentBytes;
  private long failedDatagrams;

  ReplyOutcomes(Channel channel, ServerMetrics metrics) {
    super(channel);
    this.metrics = metrics;
  }

  /** Writes {@code message}: {@code segments} datagrams of {@code segmentBytes} each (one, or a GSO run). */
  void write(ChannelHandlerContext ctx, Object message, int segments, int segmentBytes) {
    current = ((long) segments << 32) | segmentBytes;
    writing = true;
    completedInWrite = false;
    try {
      ctx.write(message, this);
    } finally {
      writing = false;
    }
    if (!completedInWrite) {
      push(current);
    }
  }

  /** Counts a reply sent outside the outbound buffer (a zero-length one). */
  void sentDirectly(int bytes) {
    sentDatagrams++;
    sentBytes += bytes;
    metrics.vertxWritten(bytes);
    publishUnlessBatch();
  }

  /** Counts a reply the kernel refused outside the outbound buffer. */
  void failedDirectly() {
    failedDatagrams++;
    publishUnlessBatch();
  }

  /** From now until {@link #publish} counts are held: a read batch is under way. */
  void openBatch() {
    batchOpen = true;
  }

  /** Hands the held counts to the meters, one update each, and ends the batch. */
  void publish() {
    batchOpen = false;
    if (sentDatagrams != 0) {
      metrics.sent(sentDatagrams, sentBytes);
      sentDatagrams = 0;
      sentBytes = 0;
    }
    if (failedDatagrams != 0) {
      metrics.dropped(DropReason.SEND_FAILED, failedDatagrams);
      failedDatagrams = 0;
    }
  }

  /** Writes whose outcome Netty has not reported yet. */
  int pendingWrites() {
    return size;
  }

  private void publishUnlessBatch() {
    if (!batchOpen) {
      publish();
    }
  }

  private void push(long write) {
    if (size == pending.length) {
      long[] grown = new long[pending.length * 2];
      for (int i = 0; i < size; i++) {
        grown[i] = pending[(head + i) % pending.length];
      }
      pending = grown;
      head = 0;
    }
    pending[(head + size) % pending.length] = write;
    size++;
  }

  private long next() {
    if (writing) {
      completedInWrite = true;
      return current;
    }
    if (size == 0) {
      throw new IllegalStateException("a write outcome with no write outstanding");
    }
    long write = pending[head];
    head = (head + 1) % pending.length;
    size--;
    return write;
  }

  @Override
  public boolean trySuccess(Void result) {
    long write = next();
    int segments = (int) (write >>> 32);
    int segmentBytes = (int) write;
    sentDatagrams += segments;
    sentBytes += (long) segments * segmentBytes;
    for (int i = 0; i < segments; i++) {
      metrics.vertxWritten(segmentBytes);
    }
    publishUnlessBatch();
    return true;
  }

  @Override
  public boolean tryFailure(Throwable cause) {
    long write = next();
    failedDatagrams += (int) (write >>> 32);
    publishUnlessBatch();
    return true;
  }

  @Override
  public ChannelPromise setSuccess(Void result) {
    trySuccess(result);
    return this;
  }

  @Override
  public ChannelPromise setFailure(Throwable cause) {
    tryFailure(cause);
    return this;
  }

  @Override
  public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> listener) {
    throw new UnsupportedOperationException("a counting promise never completes; it has no listeners");
  }

  @Override
  @SafeVarargs
  @SuppressWarnings("varargs")
  public final ChannelPromise addListeners(GenericFutureListener<? extends Future<? super Void>>... listeners) {
    throw new UnsupportedOperationException("a counting promise never completes; it has no listeners");
  }
}
