package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.ExitCodes;
import dev.udplab.server.ServerMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Both jars speak one command-line grammar: the same bad value gets the same problem text, in the same one-line
 * shape, with the same exit code, from {@code udp-server} and from every {@code udp-client} command.
 */
class OneGrammarTest {

  /** {@code NAME[ SUB]: PROBLEM (usage: SYNOPSIS; --help lists the options)}. */
  private static final Pattern USAGE_LINE =
      Pattern.compile("(udp-server|udp-client(?: send| flood| demo)?): (.+) \\(usage: \\1 .+; --help lists the options\\)");

  private record Outcome(int exitCode, String out, List<String> errLines) {
  }

  private static Outcome server(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ServerMain.parse(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).exitCode();
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), lines(err));
  }

  private static Outcome client(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ClientMain.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), lines(err));
  }

  private static List<String> lines(ByteArrayOutputStream stream) {
    List<String> lines = new ArrayList<>();
    for (String line : stream.toString(StandardCharsets.UTF_8).split("\\R")) {
      if (!line.isEmpty()) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The problem part of the one usage line, after checking its shape, its command name and exit code 2. */
  private static String problem(String command, Outcome outcome) {
    assertEquals(ExitCodes.USAGE, outcome.exitCode(), String.join("\n", outcome.errLines()));
    assertEquals(1, outcome.errLines().size(), "exactly one line on stderr: " + outcome.errLines());
    Matcher m = USAGE_LINE.matcher(outcome.errLines().get(0));
    assertTrue(m.matches(), "the one usage-line shape: " + outcome.errLines().get(0));
    assertEquals(command, m.group(1));
    assertEquals("", outcome.out(), "nothing on stdout");
    return m.group(2);
  }

  /** The same bad option value, given to the server and to each client command: one problem text for all. */
  private static void sameProblem(String expected, String option, String value) {
    String server = problem("udp-server", server("echo", "--port", "0", option, value));
    assertTrue(server.contains(expected), server);
    for (String command : new String[] {"send", "flood", "demo"}) {
      if (command.equals("demo") && !option.startsWith("--metrics")) {
        continue; // demo takes no socket options of its own
      }
      String[] args = command.equals("send") ? new String[] {command, "hi", option, value}
          : new String[] {command, option, value};
      assertEquals(server, problem("udp-client " + command, client(args)), option + " " + value);
    }
  }

  @Test
  void byte_sizes_are_refused_alike() {
    sameProblem("'64Q' is not a byte size", "--rcvbuf", "64Q");
    sameProblem("'2G' is too large (at most 1G)", "--sndbuf", "2G");
    sameProblem("'0' must be at least 1 byte", "--rcvbuf", "0");
  }

  @Test
  void ports_are_refused_alike() {
    sameProblem("'abc' is not a port number 0..65535", "--metrics-port", "abc");
    sameProblem("70000 is out of range 0..65535", "--metrics-port", "70000");
  }

  @Test
  void enum_values_are_refused_alike_and_named_in_lower_case() {
    String server = problem("udp-server", server("echo", "--guards", "maybe"));
    assertTrue(server.endsWith("'maybe' is not one of auto, on, off"), server);
    String flood = problem("udp-client flood", client("flood", "--gso", "maybe"));
    assertTrue(flood.endsWith("'maybe' is not one of auto, on, off"), flood);
    assertEquals(server.replace("--guards", "--gso"), flood);
  }

  @Test
  void durations_and_numbers_are_refused_in_the_users_terms() {
    String flood = problem("udp-client flood", client("flood", "--drain", "5parsecs"));
    assertTrue(flood.contains("unknown unit 'parsecs' in duration '5parsecs' (use us, ms, s, m or h)"), flood);
    String server = problem("udp-server", server("echo", "--instances", "many"));
    String client = problem("udp-client flood", client("flood", "--sockets", "many"));
    assertEquals(server.replace("--instances", "--sockets"), client);
    assertTrue(client.endsWith("'many' is not a whole number"), client);
  }

  @Test
  void unknown_flags_are_refused_alike() {
    assertEquals("Unknown option: '--frob'", problem("udp-server", server("echo", "--frob")));
    for (String command : new String[] {"send", "flood", "demo"}) {
      assertEquals("Unknown option: '--frob'", problem("udp-client " + command, client(command, "--frob")));
    }
  }

  @Test
  void both_accept_the_same_spellings() {
    // Parsing only: --help ends every command after its options were converted.
    assertEquals(ExitCodes.OK, server("ECHO", "--rcvbuf", "64k", "--sndbuf", "4M", "--transport", "EPOLL",
        "--guards", "ON", "--metrics-port", "0", "--help").exitCode());
    assertEquals(ExitCodes.OK, client("flood", "--rcvbuf", "64k", "--size", "1K", "--gso", "AUTO", "--expect",
        "AUTO", "--drain", "1", "--help").exitCode());
  }

  @Test
  void every_command_has_version_and_help() {
    assertTrue(server("--version").out().matches("udp-server \\S+\\R"));
    for (String command : new String[] {"send", "flood", "demo"}) {
      Outcome version = client(command, "--version");
      assertEquals(ExitCodes.OK, version.exitCode());
      assertTrue(version.out().matches("udp-client \\S+\\R"), version.out());
      Outcome help = client(command, "--help");
      assertEquals(ExitCodes.OK, help.exitCode());
      assertTrue(help.out().contains("(default: "), command + ": " + help.out());
    }
    assertTrue(server("--help").out().contains("(default: "));
  }
}
