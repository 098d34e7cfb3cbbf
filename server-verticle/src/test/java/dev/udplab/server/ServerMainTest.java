package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.server.guard.GuardPolicy;
import dev.udplab.server.mode.ServerMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerMainTest {
  /** How every usage error ends: the one shape of both jars. */
  static final String USAGE = " (usage: udp-server [OPTIONS] MODE; --help lists the options)";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private ServerMain.Parsed parse(String commandLine) {
    String[] args = commandLine.isEmpty() ? new String[0] : commandLine.split(" ");
    return ServerMain.parse(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bogus", "echo --frob", "echo --port 65536", "echo --port -1", "echo --port x",
      "echo --rcvbuf -5", "echo --rcvbuf -1", "echo --sndbuf -1", "echo --rcvbuf lots", "echo --sndbuf 0",
      "echo --rcvbuf 2G", "echo --rcvbuf 1025M", "echo --instances 0", "echo --metrics-port 99999",
      "echo --metrics-port abc", "all --port 20001", "echo extra", "echo --transport dpdk",
      "echo --instances 2 --port 0", "echo --instances 257"})
  void usage_errors_print_one_line_and_exit_2(String commandLine) {
    ServerMain.Parsed parsed = parse(commandLine);
    assertEquals(ExitCodes.USAGE, parsed.exitCode());
    assertNull(parsed.config());
    assertEquals(1, err().lines().count(), err());
    assertTrue(err().startsWith("udp-server: "), err());
    assertTrue(err().endsWith(USAGE + System.lineSeparator()), err());
    assertEquals("", out());
  }

  @Test
  void bad_values_are_named_in_the_users_terms() {
    parse("bogus");
    assertTrue(err().contains("'bogus' is not one of echo, uppercase, greeting, sink, all"), err());
    err.reset();
    parse("echo --metrics-port abc");
    assertEquals("udp-server: Invalid value for option '--metrics-port': 'abc' is not a port number 0..65535" + USAGE
        + System.lineSeparator(), err());
    err.reset();
    parse("echo --port 70000");
    assertTrue(err().contains("70000 is out of range 0..65535"), err());
    err.reset();
    parse("echo --rcvbuf 2G");
    assertTrue(err().contains("'2G' is too large (at most 1G)"), err());
    err.reset();
    parse("all --port 20001");
    assertTrue(err().contains("--port 20001 cannot be used with mode all"), err());
  }

  @Test
  void a_full_command_line_becomes_the_config() {
    ServerMain.Parsed parsed = parse("GREETING --host 127.0.0.1 --port 0 --message hi --rcvbuf 200000 --sndbuf 4096 "
        + "--metrics-port 0 --instances 1 --transport nio --quiet");
    assertEquals(0, parsed.exitCode(), err());
    ServerConfig config = parsed.config();
    assertNotNull(config);
    assertEquals(ServerMode.GREETING, config.mode());
    assertEquals(0, config.port());
    assertEquals("hi", config.message());
    assertEquals(200000, config.receiveBufferBytes());
    assertEquals(4096, config.sendBufferBytes());
    assertEquals(0, config.metricsPort());
    assertEquals(TransportChoice.NIO, config.transport());
    assertTrue(config.quiet());
  }

  @Test
  void sizes_take_the_one_byte_syntax_up_to_1g_and_enums_any_case() {
    assertEquals(65536, parse("echo --rcvbuf 64K").config().receiveBufferBytes());
    assertEquals(4 << 20, parse("echo --sndbuf 4M").config().sendBufferBytes());
    assertEquals(1 << 30, parse("echo --rcvbuf 1G").config().receiveBufferBytes());
    ServerConfig upper = parse("ECHO --transport EPOLL --guards ON").config();
    assertEquals(ServerMode.ECHO, upper.mode());
    assertEquals(TransportChoice.EPOLL, upper.transport());
    assertEquals(GuardPolicy.ON, upper.guards());
    assertEquals(GuardPolicy.OFF, parse("echo --guards Off").config().guards());
    assertEquals("", err());
  }

  @Test
  void defaults_apply_when_only_the_mode_is_given() {
    ServerConfig config = parse("uppercase").config();
    assertEquals(12000, config.portOf(config.mode()));
    assertEquals(9101, config.metricsPort());
    assertNull(config.receiveBufferBytes(), "the kernel's default");
    assertNull(config.sendBufferBytes(), "the kernel's default");
  }

  @Test
  void the_metrics_endpoint_stays_on_loopback_unless_the_server_binds_a_public_address() {
    assertEquals("127.0.0.1", parse("echo").config().metricsHost());
    assertEquals("127.0.0.1", parse("echo --host 127.0.0.5").config().metricsHost());
    assertEquals("::1", parse("echo --host ::1").config().metricsHost());
    assertEquals("0.0.0.0", parse("echo --host 0.0.0.0").config().metricsHost());
    assertEquals("::", parse("echo --host ::").config().metricsHost());
    assertEquals("192.0.2.10", parse("echo --host 192.0.2.10").config().metricsHost());
    assertEquals("127.0.0.1", parse("echo --host 0.0.0.0 --metrics-host 127.0.0.1").config().metricsHost());
    assertEquals("::1", parse("echo --metrics-host ::1").config().metricsHost());
    assertEquals(9101, parse("echo --metrics-host ::1").config().metricsPort(), "the default port stays");
  }

  @Test
  void help_lists_the_options_under_headings_in_declaration_order_and_version_comes_from_the_manifest() {
    ServerMain.Parsed help = parse("--help");
    assertEquals(0, help.exitCode());
    assertNull(help.config());
    String usage = out();
    int at = 0;
    for (String expected : List.of("Usage: udp-server [OPTIONS] MODE", "MODE", "\nSockets\n", "--host",
        "(default: 127.0.0.1)", "--port", "--rcvbuf", "--sndbuf", "--instances", "(default: 1)", "--transport",
        "(default: auto)", "\nGreeting\n", "--message", "(default: Hello UDP Client)", "\nGuards (public binds)\n",
        "--guards", "(default: auto)", "--rate-limit", "--burst", "--max-sources", "(default: 65536)",
        "--allow-amplification", "\nMetrics\n", "--metrics-port", "(default: 9101)", "--metrics-host",
        "\nOutput\n", "--quiet", "--help", "--version", "Exit codes: 0 ok, 2 bad usage, 4")) {
      int found = usage.indexOf(expected, at);
      assertTrue(found >= 0, "'" + expected + "' missing after position " + at + " in\n" + usage);
      at = found + expected.length();
    }
    out.reset();
    ServerMain.Parsed version = parse("--version");
    assertEquals(0, version.exitCode());
    // From the jar's manifest (Implementation-Version); these tests run from classes, which have none.
    assertEquals("udp-server dev" + System.lineSeparator(), out());
    assertEquals("", err());
  }
}
