package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.flood.LossTracker.Arrival;
import org.junit.jupiter.api.Test;

class LossTrackerTest {

  @Test
  void counts_distinct_duplicates_and_reorders_exactly() {
    LossTracker t = new LossTracker();
    assertEquals(Arrival.IN_ORDER, t.record(0));
    assertEquals(Arrival.IN_ORDER, t.record(2));
    assertEquals(Arrival.REORDERED, t.record(1));
    assertEquals(Arrival.DUPLICATE, t.record(1));
    assertEquals(Arrival.DUPLICATE, t.record(2));
    assertEquals(Arrival.IN_ORDER, t.record(5));
    assertEquals(new LossTracker.Counts(4, 2, 1), t.counts());
    assertEquals(2, t.counts().lost(6));
  }

  @Test
  void reordering_is_judged_within_each_flow() {
    LossTracker t = new LossTracker(2);
    // flow 0 carries 0-2, flow 1 carries 3-5; flow 1's replies happen to be read first
    assertEquals(Arrival.IN_ORDER, t.record(3, 1));
    assertEquals(Arrival.IN_ORDER, t.record(4, 1));
    assertEquals(Arrival.IN_ORDER, t.record(0, 0));
    assertEquals(Arrival.IN_ORDER, t.record(2, 0));
    assertEquals(Arrival.REORDERED, t.record(1, 0));
    assertEquals(Arrival.DUPLICATE, t.record(4, 0));
    assertEquals(Arrival.IN_ORDER, t.record(5, 1));
    assertEquals(new LossTracker.Counts(6, 1, 1), t.counts());
  }

  @Test
  void word_and_page_boundaries() {
    LossTracker t = new LossTracker();
    long page = 1L << LossTracker.PAGE_BITS_LOG2;
    long[] edges = {62, 63, 64, 65, 127, 128, page - 1, page, page + 1, 2 * page - 64, 2 * page - 63};
    for (long s : edges) {
      assertEquals(Arrival.IN_ORDER, t.record(s));
    }
    for (long s : edges) {
      assertTrue(t.seen(s), "seen " + s);
      assertEquals(Arrival.DUPLICATE, t.record(s));
    }
    for (long s : new long[] {0, 61, 66, 126, 129, page - 2, page + 2, 2 * page - 62}) {
      assertFalse(t.seen(s), "not seen " + s);
    }
    assertEquals(new LossTracker.Counts(edges.length, edges.length, 0), t.counts());
  }

  @Test
  void every_other_number_of_a_million() {
    LossTracker t = new LossTracker();
    for (long s = 0; s < 1_000_000; s += 2) {
      t.record(s);
    }
    for (long s = 999_999; s > 0; s -= 2) {
      t.record(s);
    }
    assertEquals(1_000_000, t.counts().received());
    assertEquals(499_999, t.counts().reordered());
    assertEquals(0, t.counts().lost(1_000_000));
  }

  @Test
  void counts_above_two_to_the_31_stay_sparse() {
    LossTracker t = new LossTracker();
    long big = (1L << 31) + 5;
    long bigger = (1L << 33) + 64;
    assertEquals(Arrival.IN_ORDER, t.record(7));
    assertEquals(Arrival.IN_ORDER, t.record(big));
    assertEquals(Arrival.IN_ORDER, t.record(bigger));
    assertEquals(Arrival.REORDERED, t.record(big - 1));
    assertEquals(Arrival.DUPLICATE, t.record(big));
    assertTrue(t.seen(bigger));
    assertFalse(t.seen(bigger - 64));
    assertEquals(new LossTracker.Counts(4, 1, 1), t.counts());
    assertEquals(3, t.allocatedPages());
    assertEquals(bigger + 1 - 4, t.counts().lost(bigger + 1));
  }

  @Test
  void a_hundred_million_sequence_numbers_take_96_pages() {
    LossTracker t = new LossTracker();
    // one number per 4096 touches every page that 100 million consecutive numbers would: 96 x 128 KiB = 12 MiB
    for (long s = 0; s < 100_000_000L; s += 4096) {
      t.record(s);
    }
    t.record(99_999_999L);
    assertEquals(96, t.allocatedPages());
    assertEquals(100_000_000L / 4096 + 2, t.counts().received());
  }
}
