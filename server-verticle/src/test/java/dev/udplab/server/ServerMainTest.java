package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ServerMainTest {
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

  @ParameterizedTest
  @ValueSource(strings = {"", "bogus", "echo --frob", "echo --port 65536", "echo --port -1", "echo --port x",
      "echo --rcvbuf -5", "echo --rcvbuf -1", "echo --sndbuf -1", "echo --rcvbuf lots", "echo --sndbuf 0", "echo --instances 0", "echo --metrics-port 99999",
      "all --port 20001", "echo extra", "echo --transport dpdk", "echo --instances 2 --port 0"})
  void usage_errors_print_one_line_and_exit_2(String commandLine) {
    ServerMain.Parsed parsed = parse(commandLine);
    assertEquals(ServerMain.EXIT_USAGE, parsed.exitCode());
    assertNull(parsed.options());
    assertEquals(1, err().lines().count(), err());
    assertTrue(err().startsWith("udp-server: "), err());
    assertTrue(err().contains(ServerMain.USAGE_LINE), err());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void unknown_mode_is_named() {
    parse("bogus");
    assertTrue(err().contains("unknown mode 'bogus'"), err());
  }

  @Test
  void a_full_command_line_becomes_options() {
    ServerMain.Parsed parsed = parse("GREETING --host 127.0.0.1 --port 0 --message hi --rcvbuf 200000 --sndbuf 4096 "
        + "--metrics-port 0 --instances 1 --transport nio --quiet");
    assertEquals(0, parsed.exitCode(), err());
    ServerOptions options = parsed.options();
    assertNotNull(options);
    assertEquals(Mode.GREETING, options.getMode());
    assertEquals(0, options.getPort());
    assertEquals("hi", options.getMessage());
    assertEquals(200000, options.getReceiveBufferSize());
    assertEquals(4096, options.getSendBufferSize());
    assertEquals(0, options.getMetricsPort());
    assertEquals(ServerOptions.TransportChoice.NIO, options.getTransport());
    assertTrue(options.isQuiet());
  }

  @Test
  void defaults_apply_when_only_the_mode_is_given() {
    ServerOptions options = parse("uppercase").options();
    assertEquals(12000, options.resolvedPort(options.getMode()));
    assertEquals(9101, options.getMetricsPort());
    assertEquals(-1, options.getReceiveBufferSize());
  }

  @Test
  void help_and_version_print_to_stdout_and_exit_0() {
    ServerMain.Parsed help = parse("--help");
    assertEquals(0, help.exitCode());
    assertNull(help.options());
    String usage = out.toString(StandardCharsets.UTF_8);
    for (String option : new String[] {"MODE", "--host", "--port", "--message", "--rcvbuf", "--sndbuf",
        "--metrics-port", "--instances", "--quiet", "--version"}) {
      assertTrue(usage.contains(option), option + " missing from\n" + usage);
    }
    out.reset();
    ServerMain.Parsed version = parse("--version");
    assertEquals(0, version.exitCode());
    assertTrue(out.toString(StandardCharsets.UTF_8).matches("udp-server \\d+\\.\\d+\\.\\d+.*\\R"),
        out.toString(StandardCharsets.UTF_8));
    assertEquals("", err());
  }
}
