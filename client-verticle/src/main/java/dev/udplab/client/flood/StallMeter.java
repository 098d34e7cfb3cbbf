package dev.udplab.client.flood;

import dev.udplab.client.report.FloodReport;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A self-check in the spirit of jHiccup: a task on an event loop every {@link #INTERVAL_NANOS}, and how late each run
 * comes. Whatever holds the loop up (a GC or JIT pause, a long task, the thread descheduled by a busy machine) shows
 * as lateness, and a tick more than {@link #STALL_NANOS} late is a stall: the loop could neither send nor read for
 * that long, so its replies waited in the socket and its datagrams left late. A lateness of tens of microseconds is
 * the timer's own (waking a thread on this VM) and is not counted.
 *
 * <p>One thread ticks (the loop's); the figures may be read from any thread.
 */
public final class StallMeter {

  /** How often the meter ticks. */
  public static final long INTERVAL_NANOS = 1_000_000;
  /** Lateness above which a tick counts as a stall. */
  public static final long STALL_NANOS = 1_000_000;

  private volatile long stalls;
  private volatile long maxLatenessNanos;
  private volatile long stalledNanos;
  private long lastTickNanos = Long.MIN_VALUE;
  private ScheduledFuture<?> task;

  /** A meter that is not ticking yet: {@link #start} it, or feed {@link #tick} yourself. */
  public StallMeter() {
  }

  /** Starts ticking on {@code loop}; {@link #stop()} ends it. */
  public StallMeter start(EventExecutor loop) {
    // fixed delay: after a stall the next tick comes one interval after the late one, so a stall counts once
    task = loop.scheduleWithFixedDelay(() -> tick(System.nanoTime()), INTERVAL_NANOS, INTERVAL_NANOS,
        TimeUnit.NANOSECONDS);
    return this;
  }

  /** Stops ticking; the figures stay. */
  public void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  /** One tick at {@code nowNanos}: it was due one interval after the previous one. */
  void tick(long nowNanos) {
    if (lastTickNanos != Long.MIN_VALUE) {
      record(nowNanos - lastTickNanos - INTERVAL_NANOS);
    }
    lastTickNanos = nowNanos;
  }

  /** One tick came {@code latenessNanos} late. */
  void record(long latenessNanos) {
    if (latenessNanos > maxLatenessNanos) {
      maxLatenessNanos = latenessNanos;
    }
    if (latenessNanos > STALL_NANOS) {
      stalls++;
      stalledNanos += latenessNanos;
    }
  }

  /** What the meter saw so far. */
  public FloodReport.Stalls snapshot() {
    return new FloodReport.Stalls(stalls, maxLatenessNanos / 1e6, stalledNanos / 1e6);
  }
}
