package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RttRecorderTest {

  @Test
  void percentiles_of_one_to_a_thousand_microseconds() {
    RttRecorder r = new RttRecorder();
    for (int us = 1; us <= 1000; us++) {
      r.record(us * 1000L);
    }
    assertEquals(1000, r.count());
    assertEquals(0.001, r.minMillis(), 1e-9);
    assertEquals(0.500, r.percentileMillis(50), 0.001);
    assertEquals(0.900, r.percentileMillis(90), 0.001);
    assertEquals(0.990, r.percentileMillis(99), 0.001);
    assertEquals(0.999, r.percentileMillis(99.9), 0.001);
    assertEquals(1.000, r.maxMillis(), 0.001);
  }

  @Test
  void jitter_follows_rfc_3550() {
    RttRecorder r = new RttRecorder();
    r.record(1_000_000);
    assertEquals(0, r.jitterMillis(), 1e-12);
    r.record(2_600_000);
    assertEquals(0.1, r.jitterMillis(), 1e-12);
    r.record(2_600_000);
    assertEquals(0.1 - 0.1 / 16, r.jitterMillis(), 1e-12);
  }

  @Test
  void constant_rtt_has_no_jitter_and_empty_has_zeroes() {
    RttRecorder r = new RttRecorder();
    assertEquals(0, r.maxMillis());
    for (int i = 0; i < 100; i++) {
      r.record(50_000);
    }
    assertEquals(0, r.jitterMillis(), 1e-12);
    assertEquals(0.05, r.percentileMillis(99), 0.0001);
  }
}
