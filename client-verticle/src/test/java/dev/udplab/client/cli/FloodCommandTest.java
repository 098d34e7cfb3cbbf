package dev.udplab.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.CliRun;
import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.flood.MisbehavingServer;
import dev.udplab.client.net.GsoMode;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.report.FloodReportTest;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.run.MaxRateSearch;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.runtime.ProcessProperties;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class FloodCommandTest {

  static {
    ProcessProperties.apply();
  }

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--size=39", "--size=65508", "--size=-1", "--rate=-5", "--rate=abc", "--count=-1",
      "--sockets=0", "--drain=5parsecs", "--max-loss=101", "--expect=maybe", "--sweep-rcvbuf=8K,lots",
      "--sweep-rate=1000,-2", "--to=127.0.0.1:70000", "--rate=1000000001", "--metrics-port=70000",
      "--metrics-port=-1", "--find-max-rate --expect=none", "--to=no-such-host.invalid:20001", "--gso=sometimes",
      "--size=1G", "--interval=0", "--sweep-rate=1000 --sweep-rcvbuf=8K", "--find-max-rate --sweep-rate=1000"})
  void bad_values_are_usage_errors(String arg) {
    // the metrics port off unless it is the value under test (picocli refuses an option given twice)
    String[] args = ((arg.startsWith("--metrics-port") ? "flood " : "flood --metrics-port=0 ") + arg).split(" ");
    CliRun r = run(args);
    assertEquals(ExitCodes.USAGE, r.exitCode(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(arg.split("[= ]")[0]), "the line names the option: " + r.err());
    assertTrue(r.err().matches("udp-client flood: .+ \\(usage: udp-client flood \\[OPTIONS\\]; --help lists the "
        + "options\\)\\R"), "the one usage line: " + r.err());
    assertTrue(r.out().isEmpty());
  }

  @Test
  void sizes_and_enums_take_the_one_grammar() {
    FloodCommand flood = CliRun.parsed("flood", "--size", "1K", "--gso", "AUTO", "--expect", "Sequenced",
        "--rcvbuf", "208K", "--drain", "2");
    FloodOptions options = flood.plan().flood();
    assertEquals(1024, options.sizeBytes());
    assertEquals(GsoMode.AUTO, options.gso());
    assertEquals(ReplyKind.SEQUENCED, options.expect());
    assertEquals(212_992, options.buffers().receiveBytes());
    assertEquals(java.time.Duration.ofSeconds(2), options.drain());
    FloodPlan defaults = CliRun.<FloodCommand>parsed("flood").plan();
    assertEquals(FloodOptions.to(HostPort.parse("127.0.0.1:20001")), defaults.flood(), "the defaults are the record's");
  }

  @Test
  void help_shows_the_contract_defaults() {
    CliRun r = run("flood", "--help");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    // compared without white space: the help wraps where the terminal (or picocli's default of 80) ends
    String help = r.out().replaceAll("\\s+", "");
    assertTrue(help.contains("Target;IPv6as[::1]:PORT(default:127.0.0.1:20001)"), r.out());
    assertTrue(help.contains("0=until--durationorCtrl-C(default:20000)"), r.out());
    assertTrue(help.contains("0turnsitoff(default:9102)"), r.out());
    assertTrue(help.contains("(default:auto)"), "enum defaults as they are typed: " + r.out());
    int at = -1;
    for (String heading : new String[] {"What to send", "Sockets", "Reading replies", "Output", "Metrics",
        "Run modes", "--help"}) {
      int next = r.out().indexOf(heading, at + 1);
      assertTrue(next > at, heading + " in order: " + r.out());
      at = next;
    }
  }

  @Test
  void json_is_one_object_and_max_loss_exits_3(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0).drop(s -> s % 10 == 9);
    vertx.deployVerticle(server).await();
    CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--count", "1000", "--rate", "5000",
        "--rcvbuf", "1M", "--drain", "2s", "--json", "--metrics-port", "0", "--max-loss", "5");
    assertEquals(ExitCodes.LOSS, r.exitCode(), r.err());
    assertEquals(1, r.out().strip().lines().count());
    JsonObject json = new JsonObject(r.out());
    assertEquals(FloodReportTest.KEYS, json.fieldNames());
    assertEquals(1000L, json.getLong("sent"));
    assertEquals(900L, json.getLong("received"));
    assertEquals(10.0, json.getDouble("lossPercent"));
    assertTrue(r.err().contains("above --max-loss"), r.err());
    assertTrue(r.err().contains("flood 127.0.0.1:"), "header on stderr with --json");
  }

  @Test
  void within_max_loss_exits_0_with_a_text_summary(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--count", "500", "--rate", "5000",
        "--rcvbuf", "1M", "--drain", "2s", "--metrics-port", "0", "--max-loss", "0");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    assertTrue(r.out().contains("lost        0 (0.0000%)"), r.out());
    assertTrue(r.out().contains("rtt ms      min"), r.out());
  }

  @Test
  void gso_auto_segments_towards_loopback_and_off_writes_one_by_one(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    for (String gso : new String[] {"auto", "off"}) {
      // unpaced, so batches (paced up to 100,000 pps, each datagram goes on its own); no warm-up: the server's
      // count is exact
      CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--count", "500", "--warmup", "0",
          "--rcvbuf", "1M", "--drain", "1s", "--metrics-port", "0", "--max-loss", "0", "--gso", gso);
      assertEquals(ExitCodes.OK, r.exitCode(), r.err());
      assertEquals(gso.equals("auto"), r.out().contains(", GSO up to 64 per write"), r.out());
      assertTrue(r.out().contains("lost        0 (0.0000%)"), r.out());
    }
    assertEquals(Map.of(64, 1000L), server.perSize());
  }

  @Test
  void sweep_prints_a_table_and_a_json_array(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--count", "300", "--rate", "5000",
        "--drain", "200ms", "--json", "--metrics-port", "0", "--sweep-rcvbuf", "64K,1M");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    JsonArray array = new JsonArray(r.out());
    assertEquals(2, array.size());
    assertEquals(65536, array.getJsonObject(0).getInteger("value"));
    assertEquals("rcvbuf", array.getJsonObject(1).getString("sweep"));
    assertEquals(1 << 21, array.getJsonObject(1).getLong("rcvbuf"), "granted: doubled by Linux");
    Set<String> keys = new java.util.HashSet<>(FloodReportTest.KEYS);
    keys.add("sweep");
    keys.add("value");
    assertEquals(keys, array.getJsonObject(0).fieldNames());
    assertTrue(r.err().contains("    rcvbuf    granted"), r.err());
  }

  @Test
  void find_max_rate_prints_probes_and_an_answer(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--find-max-rate", "--duration", "100ms",
        "--drain", "100ms", "--rcvbuf", "1M", "--json", "--metrics-port", "0");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    JsonObject json = new JsonObject(r.out());
    assertEquals(Set.of("maxRate", "maxLossPercent", "probes"), json.fieldNames());
    assertTrue(json.getLong("maxRate") > 0, r.err());
    assertEquals(0.1, json.getDouble("maxLossPercent"));
    JsonArray probes = json.getJsonArray("probes");
    // the unpaced probe, then at most MAX_PROBES + 1 rates, each probed twice at most
    assertTrue(probes.size() >= 2 && probes.size() <= 1 + 2 * (MaxRateSearch.MAX_PROBES + 1), r.err());
    assertEquals(0L, probes.getJsonObject(0).getLong("rate"), "the first probe is unpaced");
    assertTrue(r.err().contains("probe  1  rate   unpaced"), r.err());
    assertTrue(r.err().contains("max rate within 0.1% loss: " + json.getLong("maxRate") + " pps"), r.err());
  }
}
