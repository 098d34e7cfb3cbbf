package dev.udplab.client.flood;

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
  void a_stall_of_up_to_a_second_is_caught_up_in_bursts() {
    SendPacer pacer = new SendPacer(100_000, 0);
    assertEquals(400, pacer.maxBurst());
    // 1 s without a tick: 100,000 due, sent 400 per tick (300 more than the tick adds) until caught up, nothing
    // forgiven
    long total = 0;
    for (int tick = 0; tick < 340; tick++) {
      long due = pacer.due(1_000_000_000L + tick * 1_000_000L);
      assertEquals(tick < 333 ? 400 : 100, due, "tick " + tick);
      pacer.sent(due);
      total += due;
    }
    assertEquals(100_000 + 339 * 100, total, "every datagram of the first 1.339 s went out");
  }

  @Test
  void a_stall_longer_than_a_second_is_forgiven_beyond_one_second() {
    SendPacer pacer = new SendPacer(1000, 0);
    assertEquals(4, pacer.maxBurst());
    long total = 0;
    long now = 3_000_000_000L;
    while (true) {
      long due = pacer.due(now);
      if (due < 4) {
        break;
      }
      pacer.sent(due);
      total += due;
      now += 1_000_000;
    }
    // 3 s allowed 3000: 2000 forgiven at once; the last second's 1000 and the 333 ms of ticks since caught up in
    // bursts of 4, until less than a burst (1) is due
    assertEquals(1000 + 333 - 1, total);
  }

  @Test
  void unpaced_gives_batches_and_negative_rates_are_refused() {
    SendPacer pacer = new SendPacer(0, 0);
    assertFalse(pacer.paced());
    assertEquals(SendPacer.UNPACED_BATCH, pacer.due(0));
    assertThrows(IllegalArgumentException.class, () -> new SendPacer(-1, 0));
  }
}
