package dev.udplab.server.socket;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How late an event loop runs a task it is handed, jHiccup's idea: every {@link #TICK_MICROS} a {@link LagTicker}
 * thread hands the loop this task and the loop records, when it runs it, how long it took; a loop that is free runs
 * it within microseconds, a stuck one (a GC pause, the JIT, another task, a host that took the CPU away) as late as
 * it could not serve datagrams. While a tick waits no new one is handed over; when it finally runs it also records
 * the ticks that would have fallen due meanwhile (50 ms, 49 ms, ... as HdrHistogram's
 * {@code recordValueWithExpectedInterval}), so a stall weighs as long as it lasted, as a datagram arriving at a
 * random time would feel it.
 *
 * <p>Why a thread hands the ticks over instead of a timer on the loop itself: a loop with a timer pending arms a
 * kernel timeout for every sleep between datagrams, which on this project's VMs cost about 1 µs per datagram.
 * {@link #tick} runs on the ticker thread, {@link #run} on the loop.
 */
final class EventLoopLag implements Runnable {
  /**
   * The tick. jHiccup ticks every millisecond; here each tick costs the ticker and the loop a wake-up (about 75 µs
   * of CPU on this project's VMs), so 10 ms: still finer than the 12.8 ms a default receive buffer lasts at 20,000
   * small datagrams per second, the stalls that lose datagrams.
   */
  static final long TICK_MICROS = 10_000;
  static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(TICK_MICROS);
  /** The most ticks one late run records: a stall of 100 s and more weighs as 100 s. */
  private static final int MAX_MISSED_TICKS = 10_000;

  private final Timer lag;
  private final LongSupplier nanoClock;
  private final Executor loop;
  // when the tick now waiting was handed over; 0 while none waits
  private volatile long handedNanos;

  /**
   * @param lag       where each tick's lateness goes
   * @param nanoClock {@link System#nanoTime} or a test's clock
   * @param loop      the event loop measured
   */
  EventLoopLag(Timer lag, LongSupplier nanoClock, Executor loop) {
    this.lag = lag;
    this.nanoClock = nanoClock;
    this.loop = loop;
  }

  /** Hands the loop a tick unless one is still waiting. Ticker thread. */
  void tick() {
    if (handedNanos == 0) {
      handedNanos = Math.max(1, nanoClock.getAsLong());
      loop.execute(this);
    }
  }

  @Override
  public void run() {
    long late = Math.max(0, nanoClock.getAsLong() - handedNanos);
    lag.record(late, TimeUnit.NANOSECONDS);
    // the ticks the ticker skipped while this one waited, each as late as it would have been
    long missed = late - TICK_NANOS;
    for (int i = 0; missed > 0 && i < MAX_MISSED_TICKS; i++, missed -= TICK_NANOS) {
      lag.record(missed, TimeUnit.NANOSECONDS);
    }
    handedNanos = 0;
  }
}
