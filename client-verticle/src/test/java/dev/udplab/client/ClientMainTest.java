package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.testing.UdpResponder;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line: exit codes and one-line errors, without System.exit. */
class ClientMainTest {

  static CliRun cli(String... args) {
    return CliRun.of(args);
  }

  /** The one usage-error line: {@code udp-client[ SUB]: PROBLEM (usage: ...; --help lists the options)}, exit 2. */
  static void assertUsageError(String expectedFragment, String... args) {
    CliRun run = cli(args);
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.err());
    List<String> lines = run.errLines();
    assertEquals(1, lines.size(), "one line on stderr: " + run.err());
    assertTrue(lines.get(0).contains(expectedFragment), run.err());
    String command = args.length > 0 && List.of("send", "flood", "demo").contains(args[0])
        ? "udp-client " + args[0] : "udp-client";
    assertTrue(lines.get(0).matches(command + ": .+ \\(usage: " + command + " .+; --help lists the options\\)"),
        run.err());
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
    assertUsageError("--timeout must be whole milliseconds, at least 1ms", "send", "x", "--timeout", "0");
    // Vert.x timers count milliseconds: refused, not silently rounded
    assertUsageError("--timeout must be whole milliseconds, at least 1ms", "send", "x", "--timeout", "250us");
    assertUsageError("--retries must be 0 or more", "send", "x", "--retries", "-1");
    assertUsageError("'--retries'", "send", "x", "--retries", "many");
    assertUsageError("is not a byte size", "send", "x", "--rcvbuf", "lots");
    assertUsageError("must be at least 1 byte", "send", "x", "--sndbuf", "0");
    assertUsageError("is too large (at most 1G)", "send", "x", "--rcvbuf", "2G");
    assertUsageError("out of range 0..65535", "send", "x", "--metrics-port", "70000");
    assertUsageError("'abc' is not a port number 0..65535", "send", "x", "--metrics-port", "abc");
    assertUsageError("does not fit one datagram", "send", "y".repeat(65508));
    assertUsageError("an empty MESSAGE cannot be sent", "send", "");
  }

  @Test
  void unknown_flags_commands_and_a_missing_command_are_usage_errors() {
    assertUsageError("Unknown option: '--bogus'", "send", "x", "--bogus");
    assertUsageError("Unknown option: '--bogus'", "flood", "--bogus");
    assertUsageError("Unknown option: '--bogus'", "demo", "--bogus");
    assertUsageError("missing command", new String[0]);
    assertUsageError("Unmatched argument", "nosuchcommand");
    assertUsageError("--count must be 1..10000000", "demo", "--count", "0");
  }

  @Test
  void help_and_version_exit_0_on_every_command() {
    CliRun help = cli("send", "--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("--no-reply"), help.out());
    assertTrue(help.out().replaceAll("\\s+", " ").contains("(default: 127.0.0.1:20001)"), help.out());
    assertTrue(help.out().replaceAll("\\s+", " ").contains("0 turns it off (default: 0)"), "send serves no "
        + "endpoint unless asked: " + help.out());
    assertTrue(help.out().contains("--metrics-host"), help.out());
    CliRun top = cli("--help");
    assertEquals(0, top.exitCode());
    assertTrue(top.out().contains("send"), top.out());
    for (String[] args : new String[][] {{"--version"}, {"send", "--version"}, {"flood", "--version"},
        {"demo", "--version"}}) {
      CliRun version = cli(args);
      assertEquals(0, version.exitCode(), String.join(" ", args));
      assertEquals("udp-client dev\n", version.out(), String.join(" ", args) + " (dev: run from classes)");
    }
    CliRun demo = cli("demo", "--help");
    assertTrue(demo.out().replaceAll("\\s+", " ").contains("(default: 100000)"), demo.out());
    assertTrue(demo.out().contains("--metrics-host"), demo.out());
  }

  @Test
  void a_busy_metrics_port_exits_4_with_one_line(/* no Vert.x needed */) throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      CliRun run = cli("send", "x", "--to", "127.0.0.1:9", "--metrics-port", String.valueOf(port));
      assertEquals(ExitCodes.ENVIRONMENT, run.exitCode(), run.err());
      assertEquals(1, run.errLines().size(), run.err());
      assertTrue(run.err().startsWith("udp-client send: "), run.err());
      assertTrue(run.err().contains("127.0.0.1:" + port) && run.err().contains("--metrics-port"), run.err());
    }
  }

  @Test
  void metrics_host_says_where_the_endpoint_binds() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
      port = probe.getLocalPort();
    }
    try (UdpResponder echo = UdpResponder.start("127.0.0.1", UdpResponder.echo())) {
      CliRun run = cli("send", "x", "--to", echo.target(), "--metrics-host", "127.0.0.2", "--metrics-port",
          String.valueOf(port));
      assertEquals(0, run.exitCode(), run.err());
      assertEquals(List.of("metrics http://127.0.0.2:" + port + "/metrics"), run.errLines());
    }
  }
}
