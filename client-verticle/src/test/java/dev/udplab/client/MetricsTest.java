package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

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

  static String scrape(String url) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  @Test
  void scraped_counters_are_exact(Vertx vertx, VertxTestContext ctx) throws Exception {
    TestUdpServer echo = SendTest.server(vertx, TestUdpServer.echo(), ctx.checkpoint(4));
    String target = echo.target("127.0.0.1");
    try (ClientRuntime runtime = ClientRuntime.start(freePort())) {
      SendOptions options = new SendOptions().setTargets(List.of(HostPort.parse(target)));
      SendTest.Run run = SendTest.send(runtime, options, "a", "bb", "ccc", "dddd");
      assertEquals(0, run.exitCode(), run.err());
      assertEquals("http://127.0.0.1:" + runtime.metricsPort() + "/metrics", runtime.metricsUrl());
      Map<String, Double> s = samples(scrape(runtime.metricsUrl()));
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
        assertEquals(new SendOptions().socketBuffers().granted(HostPort.parse(target)).receiveBytes(),
            s.get("udp_client_socket_receive_buffer_bytes" + t));
        assertTrue(s.get("udp_client_socket_send_buffer_bytes" + t) > 0);
        // Vert.x's own datagram meters stay on; the client listens first so bytes_read exists.
        assertEquals(4.0, s.get("vertx_datagram_bytes_read_count"));
        assertEquals(4.0, s.get("vertx_datagram_bytes_written_count"));
      });
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
  void socket_buffer_gauges_show_the_granted_sizes() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ClientMetrics.Target target = new ClientMetrics(registry).target("127.0.0.1:1");
    SocketBuffers.Granted granted = new SocketBuffers(8192, 16384).granted(HostPort.parse("127.0.0.1:1"));
    target.socketBuffers(granted.receiveBytes(), granted.sendBytes());
    // Linux doubles the request for its own bookkeeping.
    assertEquals(16384.0, registry.get("udp_client_socket_receive_buffer_bytes").gauge().value());
    assertEquals(32768.0, registry.get("udp_client_socket_send_buffer_bytes").gauge().value());
  }
}
