package dev.udplab.client.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.report.FloodReport.Interval;
import dev.udplab.client.report.FloodReport.Rtt;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

public class FloodReportTest {

  public static final Set<String> KEYS = Set.of("target", "mode", "sent", "received", "lost", "lossPercent", "duplicates",
      "reordered", "unexpected", "elapsedSeconds", "sendRate", "receiveRate", "rcvbuf", "sndbuf", "rtt",
      "jitterMillis", "intervals", "warmup", "pacing", "clientStalls", "rttFromIntended");
  public static final Set<String> RTT_KEYS = Set.of("minMillis", "p50Millis", "p90Millis", "p99Millis", "p999Millis",
      "maxMillis");

  private static FloodReport report(ReplyKind mode) {
    return new FloodReport("127.0.0.1:20001", mode, 1000, 900, 3, 7, 2, 0.5, 0.6, 212992, 212992,
        new Rtt(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.007),
        List.of(new Interval(0.25, 500, 450), new Interval(0.5, 500, 450)));
  }

  @Test
  void sequenced_json_has_exactly_the_contract_keys_and_figures() {
    JsonObject json = JsonReport.of(report(ReplyKind.SEQUENCED));
    assertEquals(KEYS, json.fieldNames());
    assertEquals(RTT_KEYS, json.getJsonObject("rtt").fieldNames());
    assertEquals("sequenced", json.getString("mode"));
    assertEquals(1000L, json.getLong("sent"));
    assertEquals(900L, json.getLong("received"));
    assertEquals(100L, json.getLong("lost"));
    assertEquals(10.0, json.getDouble("lossPercent"));
    assertEquals(3L, json.getLong("duplicates"));
    assertEquals(7L, json.getLong("reordered"));
    assertEquals(2000.0, json.getDouble("sendRate"));
    assertEquals(1500.0, json.getDouble("receiveRate"));
    assertEquals(0.04, json.getJsonObject("rtt").getDouble("p99Millis"));
    assertEquals(0.007, json.getDouble("jitterMillis"));
    assertEquals(new JsonObject().put("second", 0.25).put("sent", 500L).put("received", 450L),
        json.getJsonArray("intervals").getJsonObject(0));
    assertEquals(json, new JsonObject(json.encode()));
  }

  @Test
  void counted_marks_sequence_figures_unavailable() {
    JsonObject json = JsonReport.of(report(ReplyKind.COUNTED));
    assertEquals(KEYS, json.fieldNames());
    assertEquals(100L, json.getLong("lost"));
    assertNull(json.getValue("duplicates"));
    assertNull(json.getValue("reordered"));
    assertNull(json.getValue("jitterMillis"));
    assertNull(json.getJsonObject("rtt").getValue("p50Millis"));
    assertTrue(TextReport.summary(report(ReplyKind.COUNTED)).contains("duplicates  n/a"));
  }

  @Test
  void send_only_reports_sent_only() {
    JsonObject json = JsonReport.of(report(ReplyKind.NONE));
    assertEquals(KEYS, json.fieldNames());
    assertEquals(1000L, json.getLong("sent"));
    assertNull(json.getValue("received"));
    assertNull(json.getValue("lost"));
    assertNull(json.getValue("lossPercent"));
    assertNull(json.getValue("receiveRate"));
    assertNull(json.getJsonArray("intervals").getJsonObject(0).getValue("received"));
  }

  @Test
  void reply_kinds_are_typed_as_expect_values_and_reported_by_their_report_labels() {
    assertEquals("auto sequenced counted none", String.join(" ", java.util.Arrays.stream(ReplyKind.values())
        .map(ReplyKind::toString).toList()));
    assertEquals("sequenced", ReplyKind.SEQUENCED.reportLabel());
    assertEquals("counted", ReplyKind.COUNTED.reportLabel());
    assertEquals("send-only", ReplyKind.NONE.reportLabel());
    assertTrue(TextReport.summary(report(ReplyKind.NONE)).contains("  mode send-only\n"));
  }

  @Test
  void sweep_table_rows_are_exact() {
    String table = SweepTable.of("rcvbuf", List.of("8K", "4M", "1M"), List.of(report(ReplyKind.SEQUENCED),
        report(ReplyKind.COUNTED), report(ReplyKind.NONE)));
    assertEquals(List.of(
        "    rcvbuf    granted       sent   received    loss %    p99 ms   send pps",
        "        8K     212992       1000        900    10.000     0.040       2000",
        "        4M     212992       1000        900    10.000       n/a       2000",
        "        1M     212992       1000        n/a       n/a       n/a       2000"), table.lines().toList());
  }

  @Test
  void text_shapes() {
    String table = SweepTable.of("rcvbuf", List.of("8K", "4M"), List.of(report(ReplyKind.SEQUENCED),
        report(ReplyKind.COUNTED)));
    assertEquals(3, table.split("\\R").length);
    assertTrue(table.contains("10.000"));
    String line = TextReport.intervalLine(0, 1, 500, 450, 500, 450, true);
    assertTrue(line.matches("\\[\\s*0\\.00-\\s*1\\.00\\]\\s+500\\s+450\\s+50\\s+500\\s+450"), line);
    String both = TextReport.sideBySide("unpaced", report(ReplyKind.SEQUENCED), "paced", report(ReplyKind.SEQUENCED));
    assertTrue(both.lines().allMatch(l -> l.contains("|")));
  }
}
