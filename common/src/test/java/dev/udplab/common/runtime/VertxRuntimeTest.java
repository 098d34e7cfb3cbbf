package dev.udplab.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.testing.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class VertxRuntimeTest {

  @Test
  void serves_its_registry_and_names_a_taken_port() throws Exception {
    try (VertxRuntime runtime = VertxRuntime.start("udplab-test", TransportChoice.AUTO.resolve())) {
      MetricsEndpoint endpoint = runtime.serveMetrics("127.0.0.1", 0);
      assertTrue(endpoint.port() > 0);
      assertTrue(endpoint.url().startsWith("http://127.0.0.1:"), endpoint.url());
      String scrape = PrometheusText.scrape(endpoint.url());
      assertTrue(PrometheusText.has(scrape, "jvm_threads_live_threads"), "JVM meters are on");
      try (VertxRuntime second = VertxRuntime.start("udplab-test", TransportChoice.NIO.resolve())) {
        assertEquals("nio", second.transportName());
        CommandException taken = assertThrows(CommandException.class,
            () -> second.serveMetrics("127.0.0.1", endpoint.port()));
        assertEquals(ExitCodes.ENVIRONMENT, taken.exitCode());
        assertEquals("metrics port (TCP) 127.0.0.1:" + endpoint.port() + " is already in use: choose another "
            + "--metrics-port, or --metrics-port 0 to turn the endpoint off", taken.getMessage());
      }
    }
  }

  @Test
  void serves_get_and_head_of_metrics_only_over_http_1_1() throws Exception {
    try (VertxRuntime runtime = VertxRuntime.start("udplab-test", TransportChoice.AUTO.resolve())) {
      MetricsEndpoint endpoint = runtime.serveMetrics("127.0.0.1", 0);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI metrics = URI.create(endpoint.url());
      assertEquals(200, send(http, HttpRequest.newBuilder(metrics).GET()).statusCode());
      HttpResponse<String> head = send(http, HttpRequest.newBuilder(metrics).method("HEAD",
          HttpRequest.BodyPublishers.noBody()));
      assertEquals(200, head.statusCode());
      assertEquals("", head.body());
      for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS"}) {
        HttpResponse<String> refused = send(http, HttpRequest.newBuilder(metrics).method(method,
            HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(405, refused.statusCode(), method);
        assertEquals("GET, HEAD", refused.headers().firstValue("Allow").orElse(null), method);
      }
      assertEquals(404, send(http, HttpRequest.newBuilder(URI.create(endpoint.url().replace("/metrics", "/"))))
          .statusCode());
      // An h2c upgrade request is answered over HTTP/1.1
      HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
      HttpResponse<String> upgraded = send(h2, HttpRequest.newBuilder(metrics).GET());
      assertEquals(HttpClient.Version.HTTP_1_1, upgraded.version());
    }
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_wildcard_endpoint_prints_a_url_to_paste() {
    assertEquals("http://127.0.0.1:9101/metrics", new MetricsEndpoint("0.0.0.0", 9101).url());
    assertEquals("http://[::1]:9101/metrics", new MetricsEndpoint("::", 9101).url());
    assertEquals("http://[::1]:9101/metrics", new MetricsEndpoint("::1", 9101).url());
    assertEquals("http://198.18.0.1:9101/metrics", new MetricsEndpoint("198.18.0.1", 9101).url());
  }

  @Test
  void scrapes_on_new_connections_register_no_gauge_twice() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(String.valueOf(record.getMessage()));
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try (VertxRuntime runtime = VertxRuntime.start("udplab-test", TransportChoice.AUTO.resolve())) {
      MetricsEndpoint endpoint = runtime.serveMetrics("127.0.0.1", 0);
      for (int i = 0; i < 3; i++) {
        // a client of its own each time: one connection per scrape, as Prometheus and curl may open
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(endpoint.url()))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
      }
      for (String name : VertxRuntime.REGISTERED_PER_SCRAPE) {
        assertNull(runtime.registry().find(name).meter(), name + ", registered anew per scrape by Vert.x, is not "
            + "registered at all");
      }
      assertTrue(runtime.registry().find("vertx.http.server.requests").meter() != null,
          "the other HTTP server meters stay");
      assertTrue(logged.stream().noneMatch(m -> m.contains("already registered")), logged.toString());
    } finally {
      root.removeHandler(capture);
    }
  }

  @Test
  void prometheus_text_is_parsed_once_for_every_reader() {
    PrometheusSamples samples = PrometheusSamples.parse(String.join("\n",
        "# HELP udp_server_datagrams_dropped_total Datagrams not answered, by reason",
        "# TYPE udp_server_datagrams_dropped_total counter",
        "udp_server_datagrams_dropped_total{mode=\"echo\",port=\"20001\",reason=\"rate_limited\",} 850.0",
        "udp_server_datagrams_dropped_total{mode=\"echo\",port=\"20001\",reason=\"send_failed\",} 2.0",
        "udp_server_datagrams_dropped_total{mode=\"echo\",port=\"200010\",reason=\"send_failed\",} 7.0",
        "weird{text=\"a \\\"quoted\\\" \\\\ value\",} 1 1700000000000",
        "bucket{le=\"+Inf\"} +Inf",
        "up 1", ""));
    assertEquals(852.0, samples.sum("udp_server_datagrams_dropped_total", Map.of("port", "20001")));
    assertEquals(Map.of("rate_limited", 850.0, "send_failed", 2.0),
        samples.sumBy("udp_server_datagrams_dropped_total", "reason", Map.of("port", "20001")));
    assertEquals(1.0, samples.sum("weird", Map.of("text", "a \"quoted\" \\ value")));
    assertEquals(Double.POSITIVE_INFINITY, samples.sum("bucket", Map.of("le", "+Inf")));
    assertEquals(1.0, samples.sum("up", Map.of()));
    assertNull(samples.sum("down", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> PrometheusSamples.parse("<html>not metrics</html>"));
  }

  @Test
  void properties_the_user_gave_win() {
    ProcessProperties.apply();
    assertEquals("true", System.getProperty(ProcessProperties.VERTX_DISABLE_DNS_RESOLVER));
    assertEquals("false", System.getProperty(ProcessProperties.NETTY_JFR));
    assertEquals("true", System.getProperty(ProcessProperties.AWT_HEADLESS));
  }
}
