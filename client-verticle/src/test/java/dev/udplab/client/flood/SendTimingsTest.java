package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.udplab.client.report.FloodReport;
import org.junit.jupiter.api.Test;

/** The pacer's schedule as the flood keeps it, judged with an injected clock. */
class SendTimingsTest {

  /** Wakes at the given lateness after each datagram's time, as the flood's per-datagram task does. */
  private static FloodReport.Pacing run(long rate, long[] latenessNanos) {
    SendPacer pacer = new SendPacer(rate, 0);
    SendTimings timings = new SendTimings(rate);
    long k = 0;
    for (long late : latenessNanos) {
      long now = pacer.intendedNanos(k) + late;
      long due = pacer.due(now);
      for (long i = 0; i < due; i++) {
        timings.record(now, pacer.intendedNanos(k));
        pacer.sent(1);
        k++;
      }
    }
    return timings.snapshot(FloodReport.Pacing.PER_DATAGRAM);
  }

  @Test
  void a_steady_lateness_is_no_gap_error() {
    long[] late = new long[1000];
    java.util.Arrays.fill(late, 50_000);
    FloodReport.Pacing pacing = run(10_000, late);
    assertEquals(100.0, pacing.intervalMicros());
    assertEquals(0.0, pacing.gapError().p50());
    assertEquals(0.0, pacing.gapError().max());
    assertEquals(50.0, pacing.late().p50(), 0.1, "3 significant digits");
  }

  @Test
  void jitter_shows_as_gap_error_and_lateness() {
    // every tenth wake 30 us late, the others on time: each late one has two gaps 30 us off
    long[] late = new long[1000];
    for (int i = 0; i < late.length; i++) {
      late[i] = i % 10 == 5 ? 30_000 : 0;
    }
    FloodReport.Pacing pacing = run(10_000, late);
    assertEquals(0.0, pacing.gapError().p50());
    assertEquals(30.0, pacing.gapError().p99(), 0.05);
    assertEquals(30.0, pacing.late().max(), 0.05);
    assertEquals(0.0, pacing.late().p50());
  }

  @Test
  void a_late_wake_sends_the_backlog_back_to_back() {
    // one wake 250 us late at 10,000 pps: 3 datagrams leave together, gaps of 0 where 100 us were meant
    long[] late = new long[100];
    late[50] = 250_000;
    FloodReport.Pacing pacing = run(10_000, late);
    assertEquals(250.0, pacing.late().max(), 0.5);
    assertEquals(250.0, pacing.gapError().max(), 0.5, "the first one after the stall: 350 us where 100 were meant");
  }

  @Test
  void nothing_sent_is_nothing_judged() {
    FloodReport.Pacing pacing = new SendTimings(1000).snapshot(FloodReport.Pacing.PER_DATAGRAM);
    assertNull(pacing.gapError());
    assertNull(pacing.late());
  }
}
