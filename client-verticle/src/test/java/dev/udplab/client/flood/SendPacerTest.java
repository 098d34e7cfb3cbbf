package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    SendPacer pacer = new SendPacer(250_000, 0);
    long total = 0;
    long now = 0;
    for (int i = 0; i < 2000; i++) {
      now += (i % 3 == 0) ? 2_000_000 : 500_000;
      long due = pacer.due(now);
      pacer.sent(due);
      total += due;
    }
    assertEquals(now / 1_000_000_000L * 250_000 + now % 1_000_000_000L * 250_000 / 1_000_000_000L, total);
  }

  @Test
  void a_stall_of_up_to_a_second_is_caught_up_in_bursts() {
    SendPacer pacer = new SendPacer(200_000, 0);
    assertFalse(pacer.perDatagram());
    assertEquals(800, pacer.maxBurst());
    // 1 s without a tick: 200,000 due, sent 800 per tick (600 more than the tick adds) until caught up, nothing
    // forgiven
    long total = 0;
    for (int tick = 0; tick < 340; tick++) {
      long due = pacer.due(1_000_000_000L + tick * 1_000_000L);
      assertEquals(tick < 333 ? 800 : 200, due, "tick " + tick);
      pacer.sent(due);
      total += due;
    }
    assertEquals(200_000 + 339 * 200, total, "every datagram of the first 1.339 s went out");
  }

  @Test
  void up_to_the_per_datagram_rate_each_datagram_has_its_own_exact_time() {
    SendPacer pacer = new SendPacer(30_000, 0);
    assertTrue(pacer.perDatagram());
    assertEquals(33_333, pacer.periodNanos(), "rounded down: a wake is never later than its datagram");
    assertEquals(33_334, pacer.intendedNanos(0), "rounded up to the first nanosecond it is due");
    assertEquals(66_667, pacer.intendedNanos(1));
    assertEquals(1_000_000_000L, pacer.intendedNanos(29_999), "exact at the second, no drift");
    assertEquals(0, pacer.due(33_333));
    assertEquals(1, pacer.due(33_334));
    assertFalse(new SendPacer(100_001, 0).perDatagram());
    assertEquals(10_000, new SendPacer(SendPacer.PER_DATAGRAM_MAX_RATE, 0).periodNanos());
  }

  @Test
  void per_datagram_catch_up_is_a_burst_of_four_then_four_times_the_rate() {
    SendPacer pacer = new SendPacer(10_000, 0);
    assertEquals(4, pacer.maxBurst());
    // a 10 ms stall: 100 due at once, only 4 go; then each 100 us gap refills 4 while 1 more falls due
    long now = 10_000_000;
    assertEquals(4, pacer.due(now));
    pacer.sent(4);
    long total = 4;
    int wakes = 0;
    while (wakes < 1000) {
      now += 100_000;
      long due = pacer.due(now);
      assertTrue(due <= 4, "never more than 4 at once: " + due);
      pacer.sent(due);
      total += due;
      wakes++;
      if (due < 4) {
        break;
      }
    }
    // caught up at 3 more than the rate adds per gap: 96 behind, 32 wakes of 4; the 33rd sends just its own one
    assertEquals(33, wakes);
    assertEquals(now / 100_000, total, "on schedule again");
  }

  @Test
  void forgiven_slots_shift_the_intended_times_of_later_datagrams() {
    SendPacer pacer = new SendPacer(1000, 0);
    for (int i = 1; i <= 10; i++) {
      pacer.sent(pacer.due(i * 1_000_000L));
    }
    assertEquals(10_000_000, pacer.intendedNanos(9));
    // a 3 s stall: 3,000 behind, 2,000 forgiven (1 s kept), so datagram 10 fills slot 2,010
    assertEquals(4, pacer.due(3_010_000_000L));
    pacer.sent(4);
    assertEquals(10_000_000, pacer.intendedNanos(9), "datagrams sent before keep their times");
    assertEquals(2_011_000_000L, pacer.intendedNanos(10));
    assertEquals(2_014_000_000L, pacer.intendedNanos(13));
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
