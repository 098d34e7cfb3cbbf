package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ServerOptionsTest {

  @Test
  void defaults_match_the_contract() {
    ServerOptions options = new ServerOptions();
    assertEquals(Mode.ECHO, options.getMode());
    assertEquals("127.0.0.1", options.getHost());
    assertEquals(20001, options.resolvedPort(Mode.ECHO));
    assertEquals(12000, options.resolvedPort(Mode.UPPERCASE));
    assertEquals(20000, options.resolvedPort(Mode.GREETING));
    assertEquals(5005, options.resolvedPort(Mode.SINK));
    assertEquals("Hello UDP Client", options.getMessage());
    assertEquals(9101, options.getMetricsPort());
    assertEquals(1, options.getInstances());
    assertEquals(-1, options.getReceiveBufferSize());
  }

  @Test
  void json_and_copy_constructors_round_trip() {
    ServerOptions options = new ServerOptions().setMode(Mode.GREETING).setHost("::1").setPort(0).setMessage("hi")
        .setReceiveBufferSize(200000).setSendBufferSize(100000).setMetricsPort(0).setInstances(2).setQuiet(true)
        .setTransport(ServerOptions.TransportChoice.EPOLL);
    JsonObject json = options.toJson();
    assertEquals("greeting", json.getString("mode"));
    assertEquals(json, new ServerOptions(json).toJson());
    assertEquals(json, new ServerOptions(options).toJson());
    assertEquals(new ServerOptions().toJson(), new ServerOptions(new JsonObject()).toJson());
  }

  @Test
  void validate_names_the_bad_option() {
    assertProblem("--port 65536", new ServerOptions().setPort(65536));
    assertProblem("--port -2", new ServerOptions().setPort(-2));
    assertProblem("--rcvbuf 0", new ServerOptions().setReceiveBufferSize(0));
    assertProblem("--sndbuf -5", new ServerOptions().setSendBufferSize(-5));
    assertProblem("--metrics-port 70000", new ServerOptions().setMetricsPort(70000));
    assertProblem("--instances 0", new ServerOptions().setInstances(0));
    assertProblem("--instances 2", new ServerOptions().setInstances(2).setPort(0));
    assertProblem("--instances 2", new ServerOptions().setInstances(2).setTransport(ServerOptions.TransportChoice.NIO));
    assertProblem("--port 7", new ServerOptions().setMode(Mode.ALL).setPort(7));
    assertProblem("--host", new ServerOptions().setHost(" "));
  }

  @Test
  void validate_accepts_the_edges() {
    new ServerOptions().setPort(0).validate();
    new ServerOptions().setPort(65535).setReceiveBufferSize(1).setSendBufferSize(ServerOptions.MAX_BUFFER_SIZE)
        .setMetricsPort(0).validate();
    new ServerOptions().setMode(Mode.ALL).setPort(0).validate();
    new ServerOptions().setMode(Mode.ALL).setInstances(2).validate();
  }

  private static void assertProblem(String expectedStart, ServerOptions options) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, options::validate);
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
  }
}
