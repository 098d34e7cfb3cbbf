package dev.udplab.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class HelpSectionsTest {

  @Command(name = "tool", subcommands = Sub.class)
  static final class Tool {
  }

  @Command(name = "sub")
  static final class Sub implements Callable<Integer>, HelpSections.Sectioned {
    @Option(names = "--count", description = "how many (default: ${DEFAULT-VALUE})")
    long count = 5;
    @Mixin
    SocketBufferOptions buffers;
    @Option(names = "--sockets", description = "sockets (default: ${DEFAULT-VALUE})")
    int sockets = 1;
    @Mixin
    MetricsOptions metrics = new MetricsOptions(9102);
    String seen;

    @Override
    public List<HelpSections.Section> helpSections() {
      return List.of(HelpSections.section("What to send", "--count"),
          HelpSections.section("Sockets", "--rcvbuf", "--sndbuf", "--sockets"),
          HelpSections.section("Metrics", "--metrics-port", "--metrics-host"));
    }

    @Override
    public Integer call() {
      seen = count + " " + metrics.port() + " " + metrics.hostOr("127.0.0.1");
      return 0;
    }
  }

  private static String help(Object command, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandLine line = CommandLines.create(command, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    HelpSections.applyAll(line);
    assertEquals(0, line.execute(args));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void options_appear_under_their_headings_in_section_order_then_help_and_version() {
    String help = help(new Tool(), "sub", "--help");
    String[] order = {"What to send", "--count", "Sockets", "--rcvbuf", "--sndbuf", "--sockets", "Metrics",
        "--metrics-port", "--metrics-host", "--help", "--version"};
    int at = -1;
    for (String item : order) {
      int next = help.indexOf(item, at + 1);
      assertTrue(next > at, item + " after the previous item in:\n" + help);
      at = next;
    }
    assertTrue(help.contains("(default: 9102)"), help);
    int countColumn = help.lines().filter(l -> l.contains("--count")).findFirst().orElseThrow().indexOf("how many");
    int socketsColumn = help.lines().filter(l -> l.contains("--sockets=")).findFirst().orElseThrow()
        .indexOf("sockets (");
    assertEquals(countColumn, socketsColumn, "one description column across sections:\n" + help);
  }

  @Test
  void options_keep_their_defaults_and_parse_as_usual() {
    Tool tool = new Tool();
    CommandLine line = CommandLines.create(tool, System.out, System.err);
    HelpSections.applyAll(line);
    assertEquals(0, line.execute("sub", "--metrics-host", "::1"));
    Sub sub = line.getSubcommands().get("sub").getCommand();
    assertEquals("5 9102 ::1", sub.seen, "a constructor default survives an option of the same mixin");
  }

  @Test
  void a_section_naming_an_unknown_or_repeated_option_fails_at_start() {
    CommandLine line = CommandLines.create(new Sub(), System.out, System.err);
    assertThrows(IllegalStateException.class,
        () -> HelpSections.apply(line, List.of(HelpSections.section("Sockets", "--rcvbuff"))));
    assertThrows(IllegalStateException.class, () -> HelpSections.apply(line,
        List.of(HelpSections.section("Sockets", "--rcvbuf"), HelpSections.section("Again", "--rcvbuf"))));
  }
}
