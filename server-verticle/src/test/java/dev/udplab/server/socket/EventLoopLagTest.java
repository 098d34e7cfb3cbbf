package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lag meter with a clock the test moves: each tick records how late it ran against its fixed-rate schedule. */
class EventLoopLagTest {
  private static final long TICK = TimeUnit.MICROSECONDS.toNanos(EventLoopLag.TICK_MICROS);

  private final Timer lag = Timer.builder("lag").register(new SimpleMeterRegistry());
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final EventLoopLag ticks = new EventLoopLag(lag, clock::get, clock.get());

  @Test
  void a_tick_on_time_records_zero() {
    clock.addAndGet(TICK);
    ticks.run();
    assertEquals(1, lag.count());
    assertEquals(0, lag.totalTime(TimeUnit.NANOSECONDS));
  }

  @Test
  void a_late_tick_records_its_lateness() {
    clock.addAndGet(TICK + 300_000);
    ticks.run();
    assertEquals(300_000, lag.max(TimeUnit.NANOSECONDS));
  }

  @Test
  void after_a_stall_the_ticks_due_during_it_record_decreasing_lateness() {
    // a 50 ms stall: the tick due at 1 ms runs at 51 ms, and the 50 that fell due meanwhile run at once
    clock.addAndGet(TICK + TimeUnit.MILLISECONDS.toNanos(50));
    for (int i = 0; i < 51; i++) {
      ticks.run();
    }
    assertEquals(51, lag.count());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(50), lag.max(TimeUnit.NANOSECONDS));
    // 50 + 49 + ... + 1 + 0 ms
    assertEquals(TimeUnit.MILLISECONDS.toNanos(50 * 51 / 2), lag.totalTime(TimeUnit.NANOSECONDS));
    clock.addAndGet(TICK);
    ticks.run();
    assertEquals(TimeUnit.MILLISECONDS.toNanos(50 * 51 / 2), lag.totalTime(TimeUnit.NANOSECONDS), "on time again");
  }

  @Test
  void a_tick_that_runs_early_records_zero_not_a_negative_lag() {
    clock.addAndGet(TICK - 10);
    ticks.run();
    assertEquals(0, lag.totalTime(TimeUnit.NANOSECONDS));
  }
}
