package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lag meter with a clock and a loop the test drives: a tick records how long the loop took to run it. */
class EventLoopLagTest {
  private static final long TICK = EventLoopLag.TICK_NANOS;

  private final Timer lag = Timer.builder("lag").register(new SimpleMeterRegistry());
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final ArrayDeque<Runnable> loop = new ArrayDeque<>();
  private final EventLoopLag meter = new EventLoopLag(lag, clock::get, loop::add);

  @Test
  void a_tick_run_at_once_records_zero() {
    meter.tick();
    loop.poll().run();
    assertEquals(1, lag.count());
    assertEquals(0, lag.totalTime(TimeUnit.NANOSECONDS));
  }

  @Test
  void a_late_tick_records_its_lateness() {
    meter.tick();
    clock.addAndGet(300_000);
    loop.poll().run();
    assertEquals(1, lag.count());
    assertEquals(300_000, lag.max(TimeUnit.NANOSECONDS));
  }

  @Test
  void a_stalled_loop_gets_one_tick_and_records_the_ones_it_missed_when_it_runs() {
    meter.tick();
    for (int i = 0; i < 50; i++) {
      clock.addAndGet(TICK);
      meter.tick();
    }
    assertEquals(1, loop.size(), "no second tick while the first waits");
    loop.poll().run();
    // 50 ticks late, and the 49 ticks that would have come meanwhile: 49, 48, ... 1 tick late
    assertEquals(50, lag.count());
    assertEquals(50 * TICK, lag.max(TimeUnit.NANOSECONDS));
    assertEquals(TICK * 50 * 51 / 2, lag.totalTime(TimeUnit.NANOSECONDS));
    meter.tick();
    assertEquals(1, loop.size(), "ticking again once the loop ran");
  }

  @Test
  void a_lateness_just_over_a_tick_records_two_values() {
    meter.tick();
    clock.addAndGet(TICK + 10);
    loop.poll().run();
    assertEquals(2, lag.count());
    assertEquals(TICK + 10 + 10, lag.totalTime(TimeUnit.NANOSECONDS));
  }
}
