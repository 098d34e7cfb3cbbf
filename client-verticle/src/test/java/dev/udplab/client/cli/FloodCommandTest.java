package dev.udplab.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.CliRun;
import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.flood.MisbehavingServer;
import dev.udplab.client.net.GsoMode;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.FloodReportTest;
import dev.udplab.client.report.FloodSchema;
import dev.udplab.client.report.JsonReport;
import dev.udplab.client.report.Reports;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.run.MaxRateSearch;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.runtime.ProcessProperties;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.DatagramSocket;
import java.net.InetAddress;
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
      "--size=1G", "--interval=1us", "--interval=1.5ms", "--drain=250us", "--sweep-rate=1000 --sweep-rcvbuf=8K",
      "--find-max-rate --sweep-rate=1000", "--bitrate=fast", "--bitrate=0", "--rate=5 --bitrate=1M",
      "--find-max-rate --bitrate=1M", "--bind=no-such-host.invalid", "--bind=::1", "--bind=127.0.0.1:65535 --sockets=2",
      "--bind=127.0.0.1:http", "--plot=x.svg", "--plot=x.pdf --sweep-rate=1000", "--server-metrics=ftp://x/metrics",
      "--json --json-stream", "--json-stream --sweep-rate=1000", "--json-stream --find-max-rate"})
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
    FloodSchema.assertValid("report", r.out());
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
    FloodSchema.assertValid("sweep", r.out());
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
    FloodSchema.assertValid("maxRate", r.out());
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

  /** Two consecutive UDP ports free on 127.0.0.1 just now (checked by binding both). */
  private static int twoFreePorts() throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (DatagramSocket first = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        int port = first.getLocalPort();
        if (port == 65535) {
          continue;
        }
        try (DatagramSocket second = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress())) {
          return port;
        } catch (java.net.BindException taken) {
          // try another pair
        }
      }
    }
    throw new AssertionError("no two consecutive free UDP ports");
  }

  @Test
  void bind_gives_socket_i_port_plus_i(Vertx vertx) throws Exception {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    int port = twoFreePorts();
    CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--count", "400", "--rate", "4000", "--rcvbuf", "1M",
        "--drain", "500ms", "--json", "--metrics-port", "0", "--sockets", "2", "--bind", "127.0.0.1:" + port);
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    assertEquals(Set.of(port, port + 1), server.perSenderPort().keySet());
    FloodSchema.assertValid("report", r.out());
    JsonObject json = new JsonObject(r.out());
    assertEquals(400L, json.getLong("received"));
    assertEquals("127.0.0.1:" + port, json.getJsonObject("test").getString("bind"));
    assertTrue(r.err().contains("flood 127.0.0.1:" + server.port() + " from 127.0.0.1:" + port + ": 400 datagrams"),
        r.err());
  }

  @Test
  void a_bind_port_in_use_exits_4_with_one_line() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      CliRun r = run("flood", "--to", "127.0.0.1:9", "--count", "1", "--metrics-port", "0", "--bind",
          "127.0.0.1:" + taken.getLocalPort());
      assertEquals(ExitCodes.ENVIRONMENT, r.exitCode(), r.err());
      assertEquals("udp-client flood: UDP port 127.0.0.1:" + taken.getLocalPort() + " is already in use: choose "
          + "another --bind port, or leave the port out\n", r.err());
    }
  }

  @Test
  void bitrate_is_an_alternative_to_rate() {
    FloodPlan plan = CliRun.<FloodCommand>parsed("flood", "--bitrate", "1M", "--size", "125").plan();
    assertEquals(1000, plan.flood().rate(), "1,000,000 bit/s of 125-byte datagrams");
    assertEquals(1_000_000L, plan.flood().bitsPerSecond());
    assertEquals(100_000, CliRun.<FloodCommand>parsed("flood", "--bitrate", "51.2M").plan().flood().rate(),
        "51.2 Mbit/s of the default 64 bytes");
    FloodPlan swept = CliRun.<FloodCommand>parsed("flood", "--bitrate", "1M", "--size", "125",
        "--sweep-rcvbuf", "64K").plan();
    assertEquals(1000, swept.sweep().options(swept.flood(), 0).rate(), "a buffer sweep keeps the bitrate's rate");
  }

  @Test
  void bitrate_shows_in_the_header_and_the_json(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--count", "200", "--bitrate", "1M", "--size",
        "125", "--rcvbuf", "1M", "--drain", "300ms", "--json", "--metrics-port", "0");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    assertTrue(r.err().contains(": 200 datagrams of 125 bytes, 1M bit/s of payload = 1000 pps, "), r.err());
    JsonObject test = new JsonObject(r.out()).getJsonObject("test");
    assertEquals(1000L, test.getLong("rate"));
    assertEquals(1_000_000L, test.getLong("bitsPerSecond"));
    assertEquals(125L, test.getLong("sizeBytes"));
  }

  @Test
  void interval_0_prints_no_interval_lines(Vertx vertx) {
    MisbehavingServer server = new MisbehavingServer(0);
    vertx.deployVerticle(server).await();
    CliRun r = run("flood", "--to", "127.0.0.1:" + server.port(), "--count", "300", "--rate", "3000", "--rcvbuf",
        "1M", "--drain", "300ms", "--json", "--metrics-port", "0", "--interval", "0");
    assertEquals(ExitCodes.OK, r.exitCode(), r.err());
    assertTrue(r.errLines().stream().noneMatch(l -> l.startsWith("[")), r.err());
    FloodSchema.assertValid("report", r.out());
    JsonObject json = new JsonObject(r.out());
    assertEquals(0, json.getJsonArray("intervals").size());
    assertEquals(300L, json.getLong("received"));
    assertEquals(0.0, json.getJsonObject("test").getDouble("intervalSeconds"));
  }

  @Test
  void nothing_listening_exits_1_and_says_so() throws Exception {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    CliRun r = run("flood", "--to", "127.0.0.1:" + port, "--count", "300", "--rate", "3000", "--drain", "200ms",
        "--json", "--metrics-port", "0");
    assertEquals(ExitCodes.NO_REPLY, r.exitCode(), r.err());
    assertTrue(r.err().contains("nothing listens on 127.0.0.1:" + port + " (the kernel answered with ICMP port "
        + "unreachable)\n"), r.err());
    assertTrue(r.err().endsWith("no reply came back from 127.0.0.1:" + port + ": all 300 datagrams lost\n"), r.err());
    FloodSchema.assertValid("report", r.out());
    JsonObject json = new JsonObject(r.out());
    assertEquals(300L, json.getLong("lost"));
    assertNull(json.getJsonObject("rtt").getValue("p50Millis"), "no RTT without a reply");
    assertNull(json.getValue("jitterMillis"));
    assertEquals(0L, json.getLong("sendFailures"));
    assertEquals(0L, json.getLong("clientKernelDrops"));
  }

  @Test
  void every_send_failing_exits_4_with_the_kernels_reason() {
    FloodReport refused = new FloodReport("255.255.255.255:9", ReplyKind.SEQUENCED, 0, 0, 0, 0, 0, 0.01, 0.01,
        212992, 212992, new FloodReport.Rtt(0, 0, 0, 0, 0, 0, 0), java.util.List.of(), 10, "Permission denied", 0,
        Reports.PARAMETERS, FloodReport.Fidelity.NONE, 0L, null);
    java.io.StringWriter err = new java.io.StringWriter();
    FloodPlan plan = CliRun.<FloodCommand>parsed("flood").plan();
    assertEquals(ExitCodes.ENVIRONMENT, FloodMode.verdict(plan, refused, new java.io.PrintWriter(err, true)));
    assertEquals("every send to 255.255.255.255:9 failed (10 datagrams): Permission denied\n", err.toString());
    assertEquals(10L, JsonReport.of(refused).getLong("sendFailures"));
    assertEquals("Permission denied", JsonReport.of(refused).getString("sendFailure"));
  }

  @Test
  void an_ipv4_mapped_target_is_sent_over_ipv4() {
    FloodOptions options = CliRun.<FloodCommand>parsed("flood", "--to", "[::ffff:127.0.0.1]:20001").plan().flood();
    assertEquals("127.0.0.1", options.target().ip());
    assertEquals("[::ffff:127.0.0.1]:20001", options.target().label());
  }
}
