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

  /** The keys of today's contract, then the ones added since: none is ever removed. */
  public static final Set<String> KEYS = Set.of("target", "mode", "sent", "received", "lost", "lossPercent", "duplicates",
      "reordered", "unexpected", "elapsedSeconds", "sendRate", "receiveRate", "rcvbuf", "sndbuf", "rtt",
      "jitterMillis", "intervals",
      "sendFailures", "sendFailure", "clientKernelDrops", "sendBitsPerSecond", "sendWireBitsPerSecond",
      "receiveBitsPerSecond", "receiveWireBitsPerSecond", "lossAttribution", "test", "warmup", "pacing", "clientStalls",
      "rttFromIntended");
  public static final Set<String> TEST_KEYS = Set.of("sizeBytes", "count", "durationSeconds", "rate", "bitsPerSecond",
      "sockets", "gso", "segmentsPerWrite", "rcvbufAsked", "sndbufAsked", "rcvbufGranted", "sndbufGranted", "expect",
      "drainSeconds", "intervalSeconds", "bind", "ipv6", "warmupSeconds");
  public static final Set<String> RTT_KEYS = Set.of("minMillis", "p50Millis", "p90Millis", "p99Millis", "p999Millis",
      "maxMillis");

  private static FloodReport report(ReplyKind mode) {
    return Reports.of("127.0.0.1:20001", mode, 1000, 900, 3, 7, 2, 0.5, 0.6, 212992, 212992,
        new Rtt(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.007),
        List.of(new Interval(0, 0.25, 500, 450), new Interval(0.25, 0.5, 500, 450)));
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
    assertEquals(new JsonObject().put("second", 0.25).put("sent", 500L).put("received", 450L).put("fromSecond", 0.0),
        json.getJsonArray("intervals").getJsonObject(0));
    assertEquals(TEST_KEYS, json.getJsonObject("test").fieldNames());
    // 2000 pps of 64 bytes: 1,024,000 payload bit/s; on the wire each datagram takes 64 + 8 + 20 + 18 = 110 bytes
    assertEquals(1_024_000L, json.getLong("sendBitsPerSecond"));
    assertEquals(1_760_000L, json.getLong("sendWireBitsPerSecond"));
    // 900 replies of 64 bytes in 0.6 s
    assertEquals(768_000L, json.getLong("receiveBitsPerSecond"));
    assertEquals(1_320_000L, json.getLong("receiveWireBitsPerSecond"));
    assertEquals(0L, json.getLong("sendFailures"));
    assertNull(json.getValue("sendFailure"));
    assertNull(json.getValue("clientKernelDrops"));
    assertNull(json.getValue("lossAttribution"));
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
  void no_reply_makes_rtt_unknown_not_zero() {
    FloodReport silent = Reports.of("127.0.0.1:20999", ReplyKind.SEQUENCED, 2000, 0, 0, 0, 0, 0.1, 0.1, 212992,
        212992, new Rtt(0, 0, 0, 0, 0, 0, 0), List.of());
    JsonObject json = JsonReport.of(silent);
    assertTrue(silent.noReply());
    for (String key : RTT_KEYS) {
      assertNull(json.getJsonObject("rtt").getValue(key), key);
    }
    assertNull(json.getValue("jitterMillis"));
    assertEquals(0L, json.getLong("duplicates"), "still known: nothing came back twice");
    assertTrue(TextReport.summary(silent).contains("rtt ms      n/a (no reply came back)\n"),
        TextReport.summary(silent));
    assertTrue(SweepTable.of("rate", List.of("0"), List.of(silent)).lines().skip(1).findFirst().orElseThrow()
        .contains("100.000       n/a"));
  }

  @Test
  void summary_gives_payload_and_wire_bitrates() {
    String summary = TextReport.summary(report(ReplyKind.SEQUENCED));
    assertTrue(summary.contains("sent        1000 in 0.500 s (2000 pps, 1.02 Mbit/s payload, 1.76 Mbit/s on the wire)"),
        summary);
    assertTrue(summary.contains("received    900 (1500 pps, 0.77 Mbit/s payload, 1.32 Mbit/s on the wire)"), summary);
  }

  @Test
  void loss_attribution_adds_up_and_says_when_it_is_not_exact() {
    LossAttribution a = LossAttribution.of(20_000, 1_234, 19_000, 1_000L,
        java.util.Map.of("rate_limited", 0L, "send_failed", 0L), 34L);
    assertEquals(200, a.path());
    assertTrue(a.exact());
    assertEquals("lost 1,234 = 1,000 in the server's receive buffer + 0 dropped by the server + 34 in this client's "
        + "receive buffer + 200 on the path", a.line(1_234, 20_000));
    LossAttribution limited = LossAttribution.of(1000, 850, 1000, 0L, java.util.Map.of("rate_limited", 850L), 0L);
    assertEquals(0, limited.path());
    assertEquals("lost 850 = 0 in the server's receive buffer + 850 dropped by the server (rate_limited 850) + 0 in "
        + "this client's receive buffer + 0 on the path", limited.line(850, 1000));
    LossAttribution crowded = LossAttribution.of(1000, 10, 2500, 0L, java.util.Map.of(), 0L);
    assertTrue(!crowded.exact());
    assertTrue(crowded.line(10, 1000).endsWith("(not exact: the server took in 2,500 datagrams while this flood sent "
        + "1,000, so someone else is talking to it)"), crowded.line(10, 1000));
    LossAttribution duplicated = LossAttribution.of(1000, 0, 1000, 5L, java.util.Map.of(), 0L);
    assertEquals(0, duplicated.path(), "never negative");
    JsonObject json = JsonReport.lossAttribution(a);
    assertEquals(new JsonObject("{\"serverKernel\":1000,\"serverDropped\":{\"rate_limited\":0,\"send_failed\":0},"
        + "\"clientKernel\":34,\"path\":200,\"exact\":true}"), json);
  }

  @Test
  void bitrates_read_as_iperf3_writes_them() {
    assertEquals("100M", TextReport.bits(100_000_000));
    assertEquals("1.5G", TextReport.bits(1_500_000_000));
    assertEquals("64K", TextReport.bits(64_000));
    assertEquals("999", TextReport.bits(999));
  }

  @Test
  void text_shapes() {
    String table = SweepTable.of("rcvbuf", List.of("8K", "4M"), List.of(report(ReplyKind.SEQUENCED),
        report(ReplyKind.COUNTED)));
    assertEquals(3, table.split("\\R").length);
    assertTrue(table.contains("10.000"));
    // a last interval of 0.763 s: labelled with its real end, its rates over its real length
    String line = TextReport.intervalLine(new Interval(4, 4.763, 16006, 16000), 96006, 96000, true, 64);
    assertEquals("[  4.00-  4.76]       16006       16000       20978       20970        10.74 | 6", line);
    assertEquals("[ interval s  ]        sent    received    send pps    recv pps  send Mbit/s | unanswered, total",
        TextReport.intervalTitle());
    String both = TextReport.sideBySide("unpaced", report(ReplyKind.SEQUENCED), "paced", report(ReplyKind.SEQUENCED));
    assertTrue(both.lines().allMatch(l -> l.contains("|")));
    // a long line is cut at its spaces, so that both columns fit a 160-column terminal
    String word = "abcdefghi ";
    List<String> cut = TextReport.wrapped(word.repeat(20).strip());
    assertEquals(List.of(word.repeat(7).strip(), "    " + word.repeat(7).strip(), "    " + word.repeat(6).strip()),
        cut);
  }
}
