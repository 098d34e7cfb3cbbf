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
