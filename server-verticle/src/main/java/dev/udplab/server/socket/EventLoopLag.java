package dev.udplab.server.socket;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How late each tick of a fixed-rate timer runs on one event loop, jHiccup's idea: a loop that is free runs its
 * tick within microseconds of when it was due; a loop that is stuck (a GC pause, the JIT, another task, a host that
 * took the CPU away) runs it late by as long as it could not serve datagrams. Fixed rate, not fixed delay: after a
 * stall the ticks that fell due during it run at once, each recorded with its own lateness (50 ms, 49 ms, ...), so
 * the histogram weighs a stall by how long it lasted, as a datagram arriving at a random time would feel it.
 * Schedule {@link #run} every {@link #TICK_MICROS} on the loop. One thread runs the ticks.
 */
final class EventLoopLag implements Runnable {
  /** The tick: jHiccup's default resolution. */
  static final long TICK_MICROS = 1_000;
  private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(TICK_MICROS);

  private final Timer lag;
  private final LongSupplier nanoClock;
  private long dueNanos;

  /**
   * @param lag       where each tick's lateness goes
   * @param nanoClock {@link System#nanoTime} or a test's clock
   * @param startNanos when the timer was scheduled: the first tick is due one {@link #TICK_MICROS} later
   */
  EventLoopLag(Timer lag, LongSupplier nanoClock, long startNanos) {
    this.lag = lag;
    this.nanoClock = nanoClock;
    this.dueNanos = startNanos + TICK_NANOS;
  }

  @Override
  public void run() {
    long late = nanoClock.getAsLong() - dueNanos;
    lag.record(Math.max(0, late), TimeUnit.NANOSECONDS);
    dueNanos += TICK_NANOS;
  }
}
