package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SendScheduleTest {

  @Test
  void the_count_caps_the_last_batch_and_ends_the_phase() {
    SendSchedule schedule = new SendSchedule(10, 0, 0, 0);
    assertEquals(10, schedule.due(0, 0));
    assertEquals(3, schedule.due(0, 7));
    assertFalse(schedule.over(0, 9));
    assertTrue(schedule.over(0, 10));
  }

  @Test
  void a_paced_schedule_allows_what_the_elapsed_time_allows() {
    SendSchedule schedule = new SendSchedule(0, 0, 1000, 0);
    assertEquals(3, schedule.due(3_000_000, 0));
    schedule.sent(3);
    assertEquals(0, schedule.due(3_000_000, 3));
    assertEquals(1, schedule.due(4_000_000, 3));
    schedule.sent(1);
    // 6 ms late: a burst of at most 4, the rest caught up at 4 times the rate
    assertEquals(4, schedule.due(10_000_000, 4));
  }

  @Test
  void the_duration_ends_the_phase_even_across_a_nano_time_overflow() {
    SendSchedule schedule = new SendSchedule(0, 1_000_000_000, 0, 100);
    assertFalse(schedule.over(1_000_000_099, 0));
    assertTrue(schedule.over(1_000_000_100, 0));
    long start = Long.MAX_VALUE - 10;
    SendSchedule wrapping = new SendSchedule(0, 100, 0, start);
    assertFalse(wrapping.over(start + 99, 0));
    assertTrue(wrapping.over(start + 100, 0));
  }

  @Test
  void count_0_without_a_duration_runs_until_stopped() {
    SendSchedule schedule = new SendSchedule(0, 0, 0, 0);
    assertFalse(schedule.over(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2));
    assertEquals(SendPacer.UNPACED_BATCH, schedule.due(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2));
  }
}
