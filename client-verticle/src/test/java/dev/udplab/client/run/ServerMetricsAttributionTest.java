package dev.udplab.client.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.udplab.client.CliRun;
import dev.udplab.client.UdpServerProcess;
import dev.udplab.client.report.FloodSchema;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.testing.ChildJvm;
import dev.udplab.common.testing.PrometheusText;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code flood --server-metrics}: the loss split by the real udp-server's own counters, each case built so that the
 * loss has exactly one place (loopback loses nothing on the path), and a URL that gives nothing.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class ServerMetricsAttributionTest {

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static long received(String metrics, int port) throws Exception {
    return PrometheusText.count(PrometheusText.scrape(metrics), "udp_server_datagrams_received_total",
        "port=" + port);
  }

  private static long kernelDrops(String metrics, int port) throws Exception {
    return PrometheusText.count(PrometheusText.scrape(metrics), "udp_server_kernel_drops_total", "port=" + port);
  }

  /** {@code flood --json --server-metrics} at {@code server} with {@code options}: exit 0, a valid report. */
  private static CliRun jsonFlood(UdpServerProcess server, String... options) {
    List<String> command = new ArrayList<>(List.of("flood", "--to", server.target(), "--json", "--metrics-port", "0",
        "--server-metrics", server.metrics()));
    command.addAll(List.of(options));
    CliRun run = CliRun.of(command.toArray(String[]::new));
    assertEquals(ExitCodes.OK, run.exitCode(), run.err());
    FloodSchema.assertValid("report", run.out());
    return run;
  }

  @Test
  void a_tiny_server_buffer_is_the_whole_loss_exactly() throws Exception {
    try (UdpServerProcess server = UdpServerProcess.start("echo", "--rcvbuf", "4096")) {
      long receivedBefore = received(server.metrics(), server.port());
      long dropsBefore = kernelDrops(server.metrics(), server.port());
      // unpaced at a server that holds a handful of datagrams; the client's buffer holds every reply
      // no warm-up: this test reads the server's counters around the whole command
      CliRun run = jsonFlood(server, "--count", "5000", "--rcvbuf", "4M", "--warmup", "0s");
      JsonObject json = new JsonObject(run.out());
      long sent = json.getLong("sent");
      long lost = json.getLong("lost");
      JsonObject where = json.getJsonObject("lossAttribution");
      long serverKernel = kernelDrops(server.metrics(), server.port()) - dropsBefore;
      // what the server's own counters say, read by this test: every datagram reached it or its kernel dropped it
      assertEquals(sent, received(server.metrics(), server.port()) - receivedBefore + serverKernel);
      assertTrue(serverKernel > 0, "the tiny buffer overflowed: " + where);
      assertEquals(serverKernel, where.getLong("serverKernel"));
      assertEquals(0L, json.getLong("clientKernelDrops"));
      assertEquals(0L, where.getLong("clientKernel"));
      assertEquals(lost, serverKernel, "the server's buffer is the whole loss");
      assertEquals(0L, where.getLong("path"));
      assertTrue(where.getBoolean("exact"));
      where.getJsonObject("serverDropped").forEach(e -> assertEquals(0L, ((Number) e.getValue()).longValue(),
          e.getKey()));
      assertTrue(run.err().contains(fmt("lost %,d = %,d in the server's receive buffer + 0 dropped by the server + 0 "
          + "in this client's receive buffer + 0 on the path\n", lost, lost)), run.err());
    }
  }

  @Test
  void the_rate_limiter_is_the_whole_loss_exactly() throws Exception {
    // a buffer that holds the whole flood: a cold server falls behind at first, and its kernel must not drop
    try (UdpServerProcess server = UdpServerProcess.start("echo", "--guards", "on", "--rate-limit", "100",
        "--burst", "100", "--rcvbuf", "4194304")) {
      // no warm-up: it would spend the burst, and the run's share of the limit would hang on the pause after it
      CliRun run = CliRun.of("flood", "--to", server.target(), "--count", "1000", "--rate", "2000", "--rcvbuf", "4M",
          "--warmup", "0s", "--metrics-port", "0", "--server-metrics", server.metrics());
      assertEquals(ExitCodes.OK, run.exitCode(), run.err());
      String lostLine = run.outLines().stream().filter(l -> l.startsWith("lost        ")).findFirst().orElseThrow();
      long lost = Long.parseLong(lostLine.split("\\s+")[1]);
      // a burst of 100, then 100 a second for about half a second: most of the thousand are refused
      assertTrue(lost > 700 && lost < 900, lostLine);
      assertTrue(run.out().contains(fmt("lost %,d = 0 in the server's receive buffer + %,d dropped by the server "
          + "(rate_limited %,d) + 0 in this client's receive buffer + 0 on the path\n", lost, lost, lost)), run.out());
    }
  }

  @Test
  void the_warm_up_is_left_out_of_the_split() throws Exception {
    try (UdpServerProcess server = UdpServerProcess.start("echo", "--rcvbuf", "4096")) {
      long receivedBefore = received(server.metrics(), server.port());
      long dropsBefore = kernelDrops(server.metrics(), server.port());
      // the default warm-up: unpaced, as many datagrams as the run, into the same tiny buffer
      CliRun run = jsonFlood(server, "--count", "5000", "--rcvbuf", "4M", "--drain", "3s");
      JsonObject json = new JsonObject(run.out());
      long warmupSent = json.getJsonObject("warmup").getLong("sent");
      assertTrue(warmupSent > 0, json.encode());
      long sent = json.getLong("sent");
      long lost = json.getLong("lost");
      JsonObject where = json.getJsonObject("lossAttribution");
      long serverKernel = kernelDrops(server.metrics(), server.port()) - dropsBefore;
      // the server saw both phases; the split covers the run's datagrams only, and still adds up exactly
      assertEquals(warmupSent + sent, received(server.metrics(), server.port()) - receivedBefore + serverKernel);
      assertTrue(where.getBoolean("exact"), where.encode());
      assertEquals(lost, where.getLong("serverKernel"), "the server's buffer is the whole loss of the run");
      assertEquals(0L, where.getLong("path"));
      assertTrue(serverKernel >= where.getLong("serverKernel"));
    }
  }

  @Test
  void the_warm_up_is_left_out_of_the_clients_own_drops_too() throws Exception {
    try (UdpServerProcess server = UdpServerProcess.start("echo", "--rcvbuf", "4194304")) {
      // unpaced into a client buffer of a few replies: the warm-up's replies overflow it as the run's do
      // a long drain: a server on a busy machine may still be answering when the default second is over
      CliRun run = jsonFlood(server, "--count", "5000", "--rcvbuf", "4096", "--drain", "3s");
      JsonObject json = new JsonObject(run.out());
      JsonObject where = json.getJsonObject("lossAttribution");
      assertTrue(json.getJsonObject("warmup").getLong("sent") > 0, json.encode());
      assertTrue(where.getLong("clientKernel") > 0, where.encode());
      assertEquals(json.getLong("clientKernelDrops"), where.getLong("clientKernel"));
      // the parts add up to the loss with nothing clamped: the warm-up's drops would make the two buffers' more than
      // the run lost, and path (never negative) 0 (on a loaded machine a few replies may still be in flight: path)
      assertEquals(json.getLong("lost"), where.getLong("serverKernel") + where.getLong("clientKernel")
          + where.getLong("path"), where.encode());
    }
  }

  @Test
  void a_url_that_does_not_answer_costs_one_line_and_nothing_else() throws Exception {
    try (UdpServerProcess server = UdpServerProcess.start("echo")) {
      String dead = "http://127.0.0.1:" + ChildJvm.freeTcpPort() + "/metrics";
      CliRun run = CliRun.of("flood", "--to", server.target(), "--count", "500", "--rate", "5000", "--rcvbuf", "4M",
          "--json", "--metrics-port", "0", "--server-metrics", dead);
      assertEquals(ExitCodes.OK, run.exitCode(), run.err());
      FloodSchema.assertValid("report", run.out());
      JsonObject json = new JsonObject(run.out());
      assertEquals(500L, json.getLong("sent"));
      assertNull(json.getValue("lossAttribution"));
      assertEquals(1, run.errLines().stream().filter(l -> l.contains("--server-metrics")).count(), run.err());
      assertTrue(run.err().contains("--server-metrics " + dead + " does not answer (nothing accepts connections "
          + "there) before the flood; no loss attribution\n"), run.err());
    }
  }

  @Test
  void a_url_that_is_not_a_udplab_server_costs_one_line() throws Exception {
    HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    other.createContext("/metrics", exchange -> {
      byte[] body = "# HELP up Up\nup 1\n".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    other.start();
    try (UdpServerProcess server = UdpServerProcess.start("echo")) {
      String url = "http://127.0.0.1:" + other.getAddress().getPort() + "/metrics";
      CliRun run = CliRun.of("flood", "--to", server.target(), "--count", "200", "--rate", "5000", "--rcvbuf", "4M",
          "--metrics-port", "0", "--server-metrics", url);
      assertEquals(ExitCodes.OK, run.exitCode(), run.err());
      assertTrue(run.out().contains("--server-metrics " + url + " has no udp_server_datagrams_received_total, so it "
          + "is not a udplab server's /metrics before the flood; no loss attribution\n"), run.out());
      assertTrue(run.out().contains("lost        0 (0.0000%)"), run.out());
    } finally {
      other.stop(0);
    }
  }
}
