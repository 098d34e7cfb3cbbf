package dev.udplab.client.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.CliRun;
import dev.udplab.client.ClientMain;
import dev.udplab.client.UdpServerProcess;
import dev.udplab.client.cli.FloodJsonStreamTest;
import dev.udplab.client.report.FloodSchema;
import dev.udplab.common.testing.ChildJvm;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How {@code timeout}, systemd, CI runners and Kubernetes end a flood: SIGTERM or SIGHUP (or Ctrl-C) ends the send
 * phase, the drain follows and exactly one report is printed, with counts that add up against the real echo server
 * (its own counters, read through --server-metrics, leave nothing unexplained); a second signal exits at once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class StopSignalProcessTest {

  private static UdpServerProcess echo;

  @BeforeAll
  static void startEcho() throws Exception {
    echo = UdpServerProcess.start("echo", "--rcvbuf", "4194304");
  }

  @AfterAll
  static void stopEcho() {
    if (echo != null) {
      echo.close();
    }
  }

  private static String[] endlessFlood(String drain) {
    return endlessFlood(drain, "--json");
  }

  /** {@code drain}: long enough that a loaded machine's echo answers everything before the counters are read. */
  private static String[] endlessFlood(String drain, String output) {
    return new String[] {"flood", "--to", echo.target(), "--count", "0", "--rate", "5000", "--rcvbuf", "4M",
        output, "--metrics-port", "0", "--interval", "200ms", "--drain", drain, "--server-metrics", echo.metrics(),
        // a signal in the warm-up would end a run that never started: these tests are about the run's report
        "--warmup", "0s"};
  }

  /** The one JSON document on stdout, checked to add up exactly. */
  private static JsonObject exactReport(ChildJvm flood) {
    assertEquals(1, flood.stdout().size(), "exactly one document on stdout: " + flood.stdout() + flood.stderr());
    return exactReport(flood.stdout().get(0));
  }

  private static JsonObject exactReport(String document) {
    FloodSchema.assertValid("report", document);
    JsonObject json = new JsonObject(document);
    long sent = json.getLong("sent");
    assertTrue(sent > 0, json.encode());
    assertEquals(sent, json.getLong("received") + json.getLong("lost"));
    JsonObject where = json.getJsonObject("lossAttribution");
    assertTrue(where.getBoolean("exact"), "the echo's counters moved by what this flood sent: " + where);
    long dropped = where.getJsonObject("serverDropped").stream().mapToLong(e -> ((Number) e.getValue()).longValue())
        .sum();
    // loopback loses nothing on the path: every lost datagram is in one of the kernel's counters
    assertEquals(json.getLong("lost"), where.getLong("serverKernel") + dropped + where.getLong("clientKernel"),
        where.encode());
    assertEquals(0L, where.getLong("path"), where.encode());
    // what the interval lines counted adds up to the summary
    long intervalSent = json.getJsonArray("intervals").stream().mapToLong(i -> ((JsonObject) i).getLong("sent"))
        .sum();
    assertEquals(sent, intervalSent);
    return json;
  }

  private static void stopOnceRunning(String signal) throws Exception {
    try (ChildJvm flood = CliRun.child(endlessFlood("2s"))) {
      flood.awaitLine("an interval line", 30_000, l -> l.startsWith("[  0.00-"));
      flood.signal(signal);
      assertEquals(0, flood.waitFor(30_000), "the run's own verdict, after the report: " + flood.stderr());
      exactReport(flood);
    }
  }

  @Test
  void sigterm_ends_the_send_phase_and_reports() throws Exception {
    stopOnceRunning("TERM");
  }

  @Test
  void sighup_ends_the_send_phase_and_reports() throws Exception {
    stopOnceRunning("HUP");
  }

  @Test
  void ctrl_c_ends_the_send_phase_and_reports() throws Exception {
    stopOnceRunning("INT");
  }

  @Test
  void sigterm_ends_a_json_stream_with_its_end_line() throws Exception {
    try (ChildJvm flood = CliRun.child(endlessFlood("2s", "--json-stream"))) {
      flood.awaitLine("an interval line on stdout", 30_000, l -> l.startsWith("{\"event\":\"interval\""));
      assertTrue(flood.stdout().get(0).startsWith("{\"event\":\"start\""), flood.stdout().toString());
      flood.signal("TERM");
      assertEquals(0, flood.waitFor(30_000), "the run's own verdict, after the end line: " + flood.stderr());
      List<String> lines = List.copyOf(flood.stdout());
      JsonObject report = FloodJsonStreamTest.checkStream(lines);
      exactReport(report.encode());
    }
  }

  @Test
  void timeout_gets_the_report_too() throws Exception {
    // timeout's timer is a SIGALRM to itself: sent by hand once the flood runs, a JVM slow to start on a loaded
    // machine cannot be stopped before its first datagram, as a fixed "timeout 3s" (or 4s) could
    List<String> command = new ArrayList<>(List.of("timeout", "60s"));
    command.addAll(ChildJvm.javaCommand(ClientMain.class, endlessFlood("2s")));
    try (ChildJvm flood = ChildJvm.start(command)) {
      flood.awaitLine("an interval line", 30_000, l -> l.startsWith("[  0.00-"));
      flood.signal("ALRM");
      // timeout exits 124 when it had to send its SIGTERM, whatever the command then exits with
      assertEquals(124, flood.waitFor(30_000), String.join("\n", flood.stderr()));
      exactReport(flood);
    }
  }

  @Test
  void a_second_signal_exits_at_once_without_a_report() throws Exception {
    try (ChildJvm flood = CliRun.child(endlessFlood("20s"))) {
      flood.awaitLine("an interval line", 30_000, l -> l.startsWith("[  0.00-"));
      flood.signal("TERM");
      // a second signal counts from half a second after the first (sooner is timeout sending it twice)
      Thread.sleep(1000);
      flood.signal("TERM");
      assertEquals(143, flood.waitFor(10_000));
      assertTrue(flood.stdout().isEmpty(), "no report: " + flood.stdout());
    }
  }
}
