package dev.udplab.client.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.CliRun;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.net.SocketBuffersTest;
import dev.udplab.client.send.SendOptions;
import dev.udplab.common.cli.MetricsOptions;
import dev.udplab.common.runtime.MetricsEndpoint;
import dev.udplab.common.runtime.VertxRuntime;
import dev.udplab.common.testing.PrometheusText;
import dev.udplab.common.testing.UdpResponder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The udp_client_* meters, scraped over HTTP from the runtime's /metrics endpoint. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class MetricsTest {

  /** Every sample line of a Prometheus text scrape, by its full series name with labels. */
  static Map<String, Double> samples(String scrape) {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }

  /** SO_RCVBUF as Linux grants it to a socket that asks for nothing: read by the JDK, which halves it. */
  static int defaultGrantedReceiveBuffer() throws IOException {
    try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET)) {
      return 2 * probe.getOption(StandardSocketOptions.SO_RCVBUF);
    }
  }

  @Test
  void scraped_counters_are_exact(Vertx vertx, VertxTestContext ctx) throws Exception {
    try (UdpResponder echo = UdpResponder.start("127.0.0.1", UdpResponder.echo());
        VertxRuntime runtime = CliRun.runtime()) {
      String target = echo.target();
      MetricsEndpoint endpoint = runtime.serveMetrics("127.0.0.1", 0);
      CliRun run = CliRun.send(runtime, SendOptions.to(List.of(HostPort.parse(target))), "a", "bb", "ccc",
          "dddd");
      assertEquals(0, run.exitCode(), run.err());
      assertEquals(4, echo.received());
      assertEquals("http://127.0.0.1:" + endpoint.port() + "/metrics", endpoint.url());
      Map<String, Double> s = samples(PrometheusText.scrape(endpoint.url()));
      int grantedByDefault = defaultGrantedReceiveBuffer();
      String t = "{target=\"" + target + "\"}";
      ctx.verify(() -> {
        assertEquals(4.0, s.get("udp_client_datagrams_sent_total" + t));
        assertEquals(4.0, s.get("udp_client_datagrams_received_total" + t));
        assertEquals(10.0, s.get("udp_client_bytes_sent_total" + t));
        assertEquals(10.0, s.get("udp_client_bytes_received_total" + t));
        assertEquals(0.0, s.get("udp_client_datagrams_unexpected_total" + t));
        assertEquals(0.0, s.get("udp_client_timeouts_total" + t));
        assertEquals(0.0, s.get("udp_client_datagrams_lost_total" + t));
        assertEquals(0.0, s.get("udp_client_datagrams_duplicated_total" + t));
        assertEquals(0.0, s.get("udp_client_datagrams_reordered_total" + t));
        assertEquals(4.0, s.get("udp_client_rtt_seconds_count" + t));
        String bucket = "udp_client_rtt_seconds_bucket{target=\"" + target + "\",le=\"";
        assertEquals(4.0, s.get(bucket + "10.0\"}"));
        assertEquals(4.0, s.get(bucket + "+Inf\"}"));
        assertEquals(20, s.keySet().stream().filter(k -> k.startsWith(bucket)).count(), "19 buckets and +Inf");
        assertNotNull(s.get(bucket + "1.0E-5\"}"), "the 10 us bucket: " + s.keySet());
        assertEquals(grantedByDefault, s.get("udp_client_socket_receive_buffer_bytes" + t));
        assertTrue(s.get("udp_client_socket_send_buffer_bytes" + t) > 0);
        // Vert.x's own datagram meters stay on; the client listens first so bytes_read exists.
        assertEquals(4.0, s.get("vertx_datagram_bytes_read_count"));
        assertEquals(4.0, s.get("vertx_datagram_bytes_written_count"));
      });
      ctx.completeNow();
    }
  }

  @Test
  void targets_share_no_meters_and_lookups_are_cached() {
    ClientMetrics metrics = new ClientMetrics(new SimpleMeterRegistry());
    ClientMetrics.Target a = metrics.target("127.0.0.1:1");
    ClientMetrics.Target b = metrics.target("127.0.0.1:2");
    a.datagramsSent.increment();
    a.recordRtt(1_500_000);
    assertEquals(1.0, a.datagramsSent.count());
    assertEquals(0.0, b.datagramsSent.count());
    assertEquals(1, a.rtt.count());
    assertTrue(a == metrics.target("127.0.0.1:1"));
  }

  @Test
  void socket_buffer_gauges_show_the_granted_sizes(Vertx vertx) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ClientMetrics.Target target = new ClientMetrics(registry).target("127.0.0.1:1");
    SocketBuffers.Granted granted = SocketBuffersTest.grantedToABoundSocket(vertx, new SocketBuffers(8192, 16384));
    target.socketBuffers(granted.receiveBytes(), granted.sendBytes());
    // Linux doubles the request for its own bookkeeping.
    assertEquals(16384.0, registry.get("udp_client_socket_receive_buffer_bytes").gauge().value());
    assertEquals(32768.0, registry.get("udp_client_socket_send_buffer_bytes").gauge().value());
  }

  @Test
  void a_taken_default_port_moves_to_a_free_one_and_an_explicit_one_exits_4() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        VertxRuntime runtime = CliRun.runtime()) {
      int taken = busy.getLocalPort();
      java.io.StringWriter said = new java.io.StringWriter();
      // a command's default, not given on the command line
      ClientMetrics moved = ClientMetrics.serve(runtime, new MetricsOptions(taken), new java.io.PrintWriter(said));
      assertTrue(moved.endpoint().port() != taken && moved.endpoint().port() > 0);
      assertEquals("metrics " + moved.endpoint().url() + " (the default port " + taken + " is taken, by another flood "
          + "perhaps; --metrics-port chooses one)\n", said.toString());
      assertTrue(PrometheusText.scrape(moved.endpoint().url()).contains("jvm_"), "it serves");
      CliRun explicit = CliRun.of("flood", "--to", "127.0.0.1:9", "--count", "1", "--metrics-port",
          Integer.toString(taken));
      assertEquals(4, explicit.exitCode(), explicit.err());
      assertTrue(explicit.err().contains("127.0.0.1:" + taken + " is already in use"), explicit.err());
    }
  }
}
