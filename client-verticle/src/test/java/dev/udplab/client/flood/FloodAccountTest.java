package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.report.Reports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The bookkeeping of a flood's phases: the warm-up apart from the run, and RTT from the intended send times. */
class FloodAccountTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FloodPayload payload = new FloodPayload(64);
  private final byte[] header = new byte[FloodPayload.HEADER_BYTES];

  private FloodAccount account(long startNanos, long first, SendPacer pacer) {
    return new FloodAccount("t", ReplyKind.AUTO, new ClientMetrics(registry).target("t"), startNanos, 1, first,
        pacer, true);
  }

  /** Sends {@code n} datagrams of {@code account}. */
  private static void send(FloodAccount account, int n) {
    account.attempted(n);
    account.sent(n, 64);
  }

  /** A reply carrying {@code sequence}, sent at {@code sendNanos}, read at {@code nowNanos} (absolute). */
  private void reply(FloodAccount account, long sequence, long sendNanos, long nowNanos) {
    System.arraycopy(payload.encode(sequence, sendNanos), 0, header, 0, FloodPayload.HEADER_BYTES);
    account.reply(sequence, header, 64, nowNanos, 0);
  }

  private static FloodReport finish(FloodAccount account, long endNanos) {
    return account.finish(endNanos, Reports.PARAMETERS, FloodReport.Fidelity.NONE);
  }

  @Test
  void a_failed_send_is_reported_in_the_kernels_words() {
    assertEquals("Permission denied",
        FloodAccount.kernelWords(new IOException("sendToAddress(..) failed: Permission denied")));
    assertEquals("Network is unreachable",
        FloodAccount.kernelWords(new IOException("sendmmsg(..) failed with error(-101): Network is unreachable")));
    assertEquals("Message too long", FloodAccount.kernelWords(new IOException("Message too long")));
    assertEquals("IOException", FloodAccount.kernelWords(new IOException()));
  }

  @Test
  void the_run_owns_the_numbers_after_the_warm_up_and_counts_only_them() {
    SendPacer unpaced = new SendPacer(0, 0);
    FloodAccount warmup = account(0, 0, unpaced);
    assertEquals(0, warmup.nextSequence());
    send(warmup, 300);
    FloodAccount run = account(1_000_000, warmup.nextSequence(), unpaced);
    assertEquals(300, run.nextSequence());
    send(run, 1000);
    assertTrue(warmup.owns(299));
    assertFalse(warmup.owns(300));
    assertTrue(run.owns(300));
    assertTrue(run.owns(1299));
    assertFalse(run.owns(1300), "not sent yet");
    for (long s = 0; s < 300; s += 2) {
      reply(warmup, s, 10, 20);
    }
    for (long s = 300; s < 1300; s++) {
      if (s % 10 != 0) {
        reply(run, s, 10, 1_000_020);
      }
    }
    // a number the run never sent is unexpected, not received
    reply(run, 5000, 10, 1_000_020);
    FloodReport report = finish(run, 2_000_000);
    assertEquals(1000, report.sent());
    assertEquals(900, report.received());
    assertEquals(100, report.lost());
    assertEquals(1, report.unexpected());
    assertEquals(0, report.reordered());
    assertEquals(150, warmup.receivedSoFar());
    assertEquals(300, warmup.sent());
  }

  @Test
  void paced_replies_also_count_from_the_intended_send_time() {
    // 1000 pps: datagram k is meant for (k + 1) ms; the first 10 left on time, the next 10 each 5 ms late
    SendPacer pacer = new SendPacer(1000, 0);
    FloodAccount run = account(0, 0, pacer);
    send(run, 20);
    for (int k = 0; k < 20; k++) {
      long intended = pacer.intendedNanos(k);
      long sent = intended + (k < 10 ? 0 : 5_000_000);
      reply(run, k, sent, sent + 100_000);
    }
    FloodReport report = finish(run, 30_000_000);
    assertEquals(0.1, report.rtt().maxMillis(), 0.001, "from the actual send time: 100 us each");
    FloodReport.Rtt intended = report.fidelity().rttFromIntended();
    assertEquals(0.1, intended.minMillis(), 0.001);
    assertEquals(5.1, intended.maxMillis(), 0.01, "the late ones waited 5 ms for the sender");
    assertTrue(report.fidelity().intendedDiffers(report.rtt()));
  }

  @Test
  void unpaced_has_no_intended_times() {
    FloodAccount run = account(0, 0, new SendPacer(0, 0));
    send(run, 5);
    for (int k = 0; k < 5; k++) {
      reply(run, k, 1000, 2000);
    }
    FloodReport report = finish(run, 10_000);
    assertNull(report.fidelity().rttFromIntended());
    assertFalse(report.fidelity().intendedDiffers(report.rtt()));
  }
}
