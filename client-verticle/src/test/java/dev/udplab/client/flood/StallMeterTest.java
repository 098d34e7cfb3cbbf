package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.udplab.client.report.FloodReport;
import org.junit.jupiter.api.Test;

class StallMeterTest {

  @Test
  void ticks_on_time_or_a_little_late_are_no_stall() {
    StallMeter meter = new StallMeter();
    long now = 0;
    for (int i = 0; i < 1000; i++) {
      now += StallMeter.INTERVAL_NANOS + (i % 3) * 50_000;
      meter.tick(now);
    }
    FloodReport.Stalls stalls = meter.snapshot();
    assertEquals(0, stalls.count());
    assertEquals(0.1, stalls.maxMillis(), 1e-9, "the timer's own lateness is still the maximum");
    assertEquals(0.0, stalls.over1msMillis());
  }

  @Test
  void a_stall_counts_once_with_its_whole_length() {
    StallMeter meter = new StallMeter();
    long now = 0;
    meter.tick(now);
    now += StallMeter.INTERVAL_NANOS;
    meter.tick(now);
    // a 50 ms blocking task: the next tick comes 50 ms late, the one after it on time again (fixed delay)
    now += StallMeter.INTERVAL_NANOS + 50_000_000;
    meter.tick(now);
    now += StallMeter.INTERVAL_NANOS;
    meter.tick(now);
    now += StallMeter.INTERVAL_NANOS + 3_000_000;
    meter.tick(now);
    FloodReport.Stalls stalls = meter.snapshot();
    assertEquals(2, stalls.count());
    assertEquals(50.0, stalls.maxMillis(), 1e-9);
    assertEquals(53.0, stalls.over1msMillis(), 1e-9);
  }

  @Test
  void exactly_one_millisecond_late_is_not_yet_a_stall() {
    StallMeter meter = new StallMeter();
    meter.record(StallMeter.STALL_NANOS);
    assertEquals(0, meter.snapshot().count());
    meter.record(StallMeter.STALL_NANOS + 1);
    assertEquals(1, meter.snapshot().count());
  }
}
