package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line: exit codes and one-line errors, without System.exit. */
class ClientMainTest {

  static SendTest.Run cli(String... args) {
    return SendTest.cli(args);
  }

  static void assertUsageError(String expectedFragment, String... args) {
    SendTest.Run run = cli(args);
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
    List<String> lines = run.errLines();
    assertEquals(1, lines.size(), "one line on stderr: " + run.err());
    assertTrue(lines.get(0).contains(expectedFragment), run.err());
    assertTrue(lines.get(0).contains("usage: "), run.err());
    assertEquals("", run.out());
  }

  @Test
  void bad_targets_are_usage_errors() {
    assertUsageError("out of range 1..65535", "send", "x", "--to", "127.0.0.1:70000");
    assertUsageError("has no port", "send", "x", "--to", "127.0.0.1");
    assertUsageError("need brackets", "send", "x", "--to", "::1:20001");
    assertUsageError("cannot resolve host", "send", "x", "--to", "no-such-host.invalid:20001");
    assertUsageError("is not a number", "send", "x", "--to", "127.0.0.1:http");
  }

  @Test
  void bad_durations_sizes_and_numbers_are_usage_errors() {
    assertUsageError("unknown unit 'x'", "send", "x", "--timeout", "5x");
    assertUsageError("has no unit", "send", "x", "--timeout", "5");
    assertUsageError("--timeout must be at least 1ms", "send", "x", "--timeout", "0");
    assertUsageError("--retries must be 0 or more", "send", "x", "--retries", "-1");
    assertUsageError("'--retries'", "send", "x", "--retries", "many");
    assertUsageError("is not a byte size", "send", "x", "--rcvbuf", "lots");
    assertUsageError("must be positive", "send", "x", "--sndbuf", "0");
    assertUsageError("out of range 0..65535", "send", "x", "--metrics-port", "70000");
    assertUsageError("does not fit one datagram", "send", "y".repeat(65508));
    assertUsageError("an empty MESSAGE cannot be sent", "send", "");
  }

  @Test
  void unknown_flags_commands_and_a_missing_command_are_usage_errors() {
    assertUsageError("Unknown option: '--bogus'", "send", "x", "--bogus");
    assertUsageError("missing command", new String[0]);
    assertUsageError("Unmatched argument", "nosuchcommand");
  }

  @Test
  void help_and_version_exit_0() {
    SendTest.Run help = cli("send", "--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("--no-reply"), help.out());
    assertTrue(help.out().replaceAll("\\s+", " ").contains("default: 127.0.0.1:20001"), help.out());
    SendTest.Run top = cli("--help");
    assertEquals(0, top.exitCode());
    assertTrue(top.out().contains("send"), top.out());
    SendTest.Run version = cli("--version");
    assertEquals(0, version.exitCode());
    assertTrue(version.out().startsWith("udp-client "), version.out());
  }

  @Test
  void a_busy_metrics_port_exits_4_with_one_line(/* no Vert.x needed */) throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      SendTest.Run run = cli("send", "x", "--to", "127.0.0.1:9", "--metrics-port", String.valueOf(port));
      assertEquals(ExitCodes.ENVIRONMENT, run.exitCode(), run.err());
      assertEquals(1, run.errLines().size(), run.err());
      assertTrue(run.err().contains("127.0.0.1:" + port) && run.err().contains("--metrics-port"), run.err());
    }
  }
}
