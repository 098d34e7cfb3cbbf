package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SendPacerTest {

  private static long runTicks(SendPacer pacer, long start, long tickNanos, int ticks) {
    long total = 0;
    for (int i = 1; i <= ticks; i++) {
      long due = pacer.due(start + i * tickNanos);
      pacer.sent(due);
      total += due;
    }
    return total;
  }

  @Test
  void a_million_per_second_on_one_millisecond_ticks_is_exact() {
    SendPacer pacer = new SendPacer(1_000_000, 0);
    assertEquals(1_000_000, runTicks(pacer, 0, 1_000_000, 1000));
  }

  @Test
  void slow_rates_send_nothing_between_their_slots() {
    SendPacer pacer = new SendPacer(10, 0);
    assertEquals(0, pacer.due(99_000_000));
    assertEquals(1, pacer.due(100_000_000));
    pacer.sent(1);
    assertEquals(0, pacer.due(150_000_000));
    assertEquals(9, runTicks(pacer, 100_000_000, 1_000_000, 900), "ten in the first second");
  }

  @Test
  void irregular_ticks_still_average_out() {
    SendPacer pacer = new SendPacer(25_000, 0);
    long total = 0;
    long now = 0;
    for (int i = 0; i < 2000; i++) {
      now += (i % 3 == 0) ? 2_000_000 : 500_000;
      long due = pacer.due(now);
      pacer.sent(due);
      total += due;
    }
    assertEquals(now / 1_000_000_000L * 25_000 + now % 1_000_000_000L * 25_000 / 1_000_000_000L, total);
  }

  @Test
  void a_stall_is_forgiven_beyond_one_burst() {
    SendPacer pacer = new SendPacer(100_000, 0);
    assertEquals(2000, pacer.maxBurst());
    assertEquals(2000, pacer.due(1_000_000_000L));
    pacer.sent(2000);
    assertEquals(0, pacer.due(1_000_000_000L));
    assertEquals(100, pacer.due(1_001_000_000L));
  }

  @Test
  void unpaced_gives_batches_and_negative_rates_are_refused() {
    SendPacer pacer = new SendPacer(0, 0);
    assertFalse(pacer.paced());
    assertEquals(SendPacer.UNPACED_BATCH, pacer.due(0));
    assertThrows(IllegalArgumentException.class, () -> new SendPacer(-1, 0));
  }
}
