package dev.udplab.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.testing.PrometheusText;
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
  void properties_the_user_gave_win() {
    ProcessProperties.apply();
    assertEquals("true", System.getProperty(ProcessProperties.VERTX_DISABLE_DNS_RESOLVER));
    assertEquals("false", System.getProperty(ProcessProperties.NETTY_JFR));
  }
}
