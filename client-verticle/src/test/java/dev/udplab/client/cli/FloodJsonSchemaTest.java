package dev.udplab.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The published schema of flood's JSON against real runs the other tests do not make (send-only, counted), against
 * documents broken on purpose (so that the check can fail), and against the key sets the report tests pin. The
 * single run with loss, the sweep, the search, the run with no reply and the --server-metrics runs are validated where
 * FloodCommandTest, ServerMetricsAttributionTest and StopSignalProcessTest make them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class FloodJsonSchemaTest {

  static {
    ProcessProperties.apply();
  }

  private static JsonObject schema() throws IOException {
    try (InputStream in = FloodJsonSchemaTest.class.getClassLoader().getResourceAsStream(FloodSchema.RESOURCE)) {
      assertNotNull(in, "the schema is on the classpath, as in the jar");
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static String flood(int port, String... extra) {
    List<String> args = new ArrayList<>(List.of("flood", "--to", "127.0.0.1:" + port, "--count", "300", "--rate",
        "3000", "--rcvbuf", "1M", "--drain", "300ms", "--interval", "50ms", "--json", "--metrics-port", "0"));
    args.addAll(List.of(extra));
    CliRun r = CliRun.of(args.toArray(String[]::new));
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    return r.out();
  }

  @Test
  void a_send_only_run_validates_with_its_nulls(Vertx vertx) {
    MisbehavingServer sink = new MisbehavingServer(0).sink();
    vertx.deployVerticle(sink).await();
    String out = flood(sink.port(), "--expect", "none");
    FloodSchema.assertValid("report", out);
    JsonObject json = new JsonObject(out);
    assertEquals("send-only", json.getString("mode"));
    for (String key : new String[] {"received", "lost", "lossPercent", "receiveRate", "receiveBitsPerSecond"}) {
      assertNull(json.getValue(key), key);
    }
  }

  @Test
  void a_counted_run_validates_with_its_nulls(Vertx vertx) {
    MisbehavingServer greeting = new MisbehavingServer(0).greeting("Hello UDP Client");
    vertx.deployVerticle(greeting).await();
    String out = flood(greeting.port());
    FloodSchema.assertValid("report", out);
    JsonObject json = new JsonObject(out);
    assertEquals("counted", json.getString("mode"));
    assertNull(json.getValue("duplicates"));
    assertNull(json.getJsonObject("rtt").getValue("p99Millis"));
    assertEquals(300L, json.getLong("received"));
  }

  @Test
  void an_extra_key_a_missing_key_or_a_wrong_type_fails(Vertx vertx) {
    MisbehavingServer echo = new MisbehavingServer(0);
    vertx.deployVerticle(echo).await();
    JsonObject real = new JsonObject(flood(echo.port()));
    FloodSchema.assertValid("report", real.encode());
    List<JsonObject> broken = List.of(real.copy().put("newKey", 1), copyWithout(real, "sent"),
        real.copy().put("sent", 1.5), real.copy().put("sent", "300"), real.copy().put("mode", "guessed"),
        real.copy().put("target", null),
        real.copy().put("test", real.getJsonObject("test").copy().put("rcvbufGranted", null)),
        real.copy().put("rtt", real.getJsonObject("rtt").copy().put("p50Millis", null)),
        real.copy().put("warmup", real.getJsonObject("warmup").copy().put("extra", 0)),
        real.copy().put("intervals", new JsonArray().add(new JsonObject().put("second", 1.0))));
    for (JsonObject document : broken) {
      assertFalse(FloodSchema.errors("report", document.encode()).isEmpty(), "must fail: " + document.encode());
    }
    // a sweep's run needs its two keys, and a single report is no sweep run (nor the other way round)
    assertFalse(FloodSchema.errors("sweep", new JsonArray().add(real).encode()).isEmpty());
    JsonObject sweepRun = real.copy().put("sweep", "rate").put("value", 1000);
    FloodSchema.assertValid("sweep", new JsonArray().add(sweepRun).encode());
    assertFalse(FloodSchema.errors("report", sweepRun.encode()).isEmpty());
    assertFalse(FloodSchema.errors("sweep", new JsonArray().add(sweepRun.copy().put("value", 1.5)).encode())
        .isEmpty());
    JsonObject search = new JsonObject().put("maxRate", 1000).put("maxLossPercent", 0.1)
        .put("probes", new JsonArray().add(real.copy().put("rate", 0)));
    FloodSchema.assertValid("maxRate", search.encode());
    assertFalse(FloodSchema.errors("maxRate", search.copy().put("maxRate", 1.5).encode()).isEmpty());
    assertFalse(FloodSchema.errors("maxRate", search.copy().put("probes", new JsonArray().add(real)).encode())
        .isEmpty(), "a probe carries its rate");
  }

  private static JsonObject copyWithout(JsonObject json, String key) {
    JsonObject copy = json.copy();
    copy.remove(key);
    return copy;
  }

  @Test
  void the_schema_requires_exactly_the_contract_keys() throws IOException {
    JsonObject defs = schema().getJsonObject("$defs");
    JsonObject run = defs.getJsonObject("run");
    assertEquals(FloodReportTest.KEYS, run.getJsonObject("properties").fieldNames());
    assertEquals(FloodReportTest.KEYS, new HashSet<>(run.getJsonArray("required").getList()));
    assertEquals(FloodReportTest.TEST_KEYS, defs.getJsonObject("test").getJsonObject("properties").fieldNames());
    assertEquals(FloodReportTest.RTT_KEYS, defs.getJsonObject("rttMeasured").getJsonObject("properties")
        .fieldNames());
    assertEquals(FloodReportTest.RTT_KEYS, defs.getJsonObject("rttUnknown").getJsonObject("properties")
        .fieldNames());
    assertEquals("https://json-schema.org/draft/2020-12/schema", schema().getString("$schema"));
  }

  @Test
  void every_object_is_closed_and_every_key_required_and_described() throws IOException {
    List<String> problems = new ArrayList<>();
    check(schema(), "#", schema().getJsonObject("$defs"), problems);
    assertEquals(List.of(), problems);
  }

  /** Every object with properties requires all of them and refuses others; every property says what it is. */
  private static void check(Object node, String path, JsonObject defs, List<String> problems) {
    if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        check(array.getValue(i), path + "/" + i, defs, problems);
      }
      return;
    }
    if (!(node instanceof JsonObject schema)) {
      return;
    }
    JsonObject properties = schema.getJsonObject("properties");
    if (properties != null) {
      if (!new HashSet<>(schema.getJsonArray("required", new JsonArray()).getList()).equals(properties.fieldNames())) {
        problems.add(path + ": required is not every property");
      }
      boolean closed = Boolean.FALSE.equals(schema.getValue("additionalProperties"))
          || Boolean.FALSE.equals(schema.getValue("unevaluatedProperties"))
          // the shared parts, closed where they are used
          || path.equals("#/$defs/run") || path.equals("#/$defs/intervalFields");
      if (!closed) {
        problems.add(path + ": open to other keys");
      }
      for (Map.Entry<String, Object> property : properties) {
        JsonObject p = (JsonObject) property.getValue();
        String ref = p.getString("$ref");
        // rttUnknown's keys are rttMeasured's, described there once
        boolean described = p.containsKey("description") || path.equals("#/$defs/rttUnknown")
            || ref != null && defs.getJsonObject(ref.substring("#/$defs/".length())).containsKey("description");
        if (!described) {
          problems.add(path + "/properties/" + property.getKey() + ": no description");
        }
      }
    }
    for (Map.Entry<String, Object> child : schema) {
      check(child.getValue(), path + "/" + child.getKey(), defs, problems);
    }
  }

  @Test
  void the_schema_is_itself_a_valid_draft_2020_12_document() throws IOException {
    // every $ref resolves: loading each definition resolves its references
    for (String definition : schema().getJsonObject("$defs").fieldNames()) {
      FloodSchema.errors(definition, "{}");
    }
    Set<String> documents = new HashSet<>();
    schema().getJsonArray("oneOf").forEach(o -> documents.add(((JsonObject) o).getString("$ref")));
    assertEquals(Set.of("#/$defs/report", "#/$defs/sweep", "#/$defs/maxRate", "#/$defs/streamLine"), documents);
  }
}
