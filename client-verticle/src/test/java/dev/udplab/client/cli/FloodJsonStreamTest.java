package dev.udplab.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.CliRun;
import dev.udplab.client.flood.MisbehavingServer;
import dev.udplab.client.report.FloodReportTest;
import dev.udplab.client.report.FloodSchema;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.runtime.ProcessProperties;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code flood --json-stream}: a start line, one line per interval, an end line carrying the --json report, every line
 * valid against the published schema. The stop by a signal is in StopSignalProcessTest.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
public class FloodJsonStreamTest {

  static {
    ProcessProperties.apply();
  }

  private static CliRun stream(int port, String... extra) {
    List<String> args = new ArrayList<>(List.of("flood", "--to", "127.0.0.1:" + port, "--count", "600", "--rate",
        "3000", "--rcvbuf", "1M", "--drain", "300ms", "--json-stream", "--metrics-port", "0", "--warmup", "0s"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  /**
   * Checks the lines of one streamed run and returns the end line's report: start first, end last, intervals between,
   * as many as the report lists and equal to them, adding up to its totals (when there are any); every line valid.
   */
  public static JsonObject checkStream(List<String> lines) {
    assertTrue(lines.size() >= 2, lines.toString());
    lines.forEach(line -> FloodSchema.assertValid("streamLine", line));
    JsonObject start = new JsonObject(lines.get(0));
    JsonObject end = new JsonObject(lines.get(lines.size() - 1));
    assertEquals("start", start.getString("event"));
    assertEquals("end", end.getString("event"));
    JsonObject report = end.getJsonObject("data");
    FloodSchema.assertValid("report", report.encode());
    assertEquals(FloodReportTest.KEYS, report.fieldNames(), "the end line carries the --json document");
    assertEquals(report.getString("target"), start.getJsonObject("data").getString("target"));
    assertEquals(report.getJsonObject("test"), start.getJsonObject("data").getJsonObject("test"),
        "start announces the parameters the report gives");
    JsonArray intervals = report.getJsonArray("intervals");
    assertEquals(intervals.size() + 2, lines.size(), "start, one line per interval, end: " + lines);
    long sent = 0;
    long received = 0;
    for (int i = 0; i < intervals.size(); i++) {
      JsonObject line = new JsonObject(lines.get(i + 1));
      assertEquals("interval", line.getString("event"));
      JsonObject data = line.getJsonObject("data");
      JsonObject listed = intervals.getJsonObject(i);
      for (String key : listed.fieldNames()) {
        assertEquals(listed.getValue(key), data.getValue(key), key + " of interval " + i);
      }
      sent += data.getLong("sent");
      received += data.getValue("received") == null ? 0 : data.getLong("received");
      assertEquals(sent, data.getLong("totalSent"), "totals so far");
    }
    if (!intervals.isEmpty()) {
      assertEquals(report.getLong("sent"), sent, "the interval lines add up to the report");
      if (report.getValue("received") != null) {
        assertEquals(report.getLong("received"), received);
      }
    }
    return report;
  }

  @Test
  void a_run_streams_start_intervals_and_end(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0).drop(s -> s % 10 == 9);
    vertx.deployVerticle(server).await();
    CliRun r = stream(server.port(), "--interval", "50ms");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    JsonObject report = checkStream(r.outLines());
    assertEquals(600L, report.getLong("sent"));
    assertEquals(540L, report.getLong("received"));
    // 600 datagrams at 3000 pps take 0.2 s: four 50 ms intervals at least, the last one partial
    assertTrue(report.getJsonArray("intervals").size() >= 4, r.out());
    assertTrue(r.err().contains("flood 127.0.0.1:"), "the header on stderr: " + r.err());
  }

  @Test
  void interval_0_streams_start_and_end_only(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    CliRun r = stream(server.port(), "--interval", "0");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    assertEquals(2, r.outLines().size(), r.out());
    assertEquals(600L, checkStream(r.outLines()).getLong("received"));
  }

  @Test
  void a_send_only_run_streams_its_nulls(Vertx vertx) {
    MisbehavingServer sink = new MisbehavingServer(0).sink();
    vertx.deployVerticle(sink).await();
    CliRun r = stream(sink.port(), "--interval", "50ms", "--expect", "none");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    checkStream(r.outLines());
    JsonObject interval = new JsonObject(r.outLines().get(1)).getJsonObject("data");
    assertNull(interval.getValue("received"));
    assertNull(interval.getValue("totalReceived"));
  }
}
