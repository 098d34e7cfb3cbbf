package dev.udplab.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void properties_the_user_gave_win() {
    ProcessProperties.apply();
    assertEquals("true", System.getProperty(ProcessProperties.VERTX_DISABLE_DNS_RESOLVER));
    assertEquals("false", System.getProperty(ProcessProperties.NETTY_JFR));
  }
}
