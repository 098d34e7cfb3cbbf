package dev.udplab.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class CommandLinesTest {

  enum Choice { AUTO, ON, OFF }

  @Command(name = "tool", subcommands = Sub.class)
  static final class Tool implements Callable<Integer> {
    @Override
    public Integer call() {
      return 0;
    }
  }

  @Command(name = "sub")
  static final class Sub implements Callable<Integer> {
    @Mixin
    MetricsOptions metrics = new MetricsOptions(9102);
    @Mixin
    SocketBufferOptions buffers;
    @Option(names = "--choice", description = "a choice (default: ${DEFAULT-VALUE})")
    Choice choice = Choice.AUTO;
    @Option(names = "--count")
    long count = 1;
    @Option(names = "--wait", converter = Converters.DurationValue.class)
    Duration wait = Duration.ZERO;
    @Option(names = "--fail")
    boolean fail;
    String seen;

    @Override
    public Integer call() {
      if (fail) {
        throw CommandException.environment("the port is taken");
      }
      seen = metrics.port() + " " + metrics.portGiven() + " " + buffers.receiveBytes() + " " + choice + " " + count
          + " " + wait;
      return 0;
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Object command, String... args) {
    CommandLine line = CommandLines.create(command, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return line.execute(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void applies_defaults_and_the_one_grammar() {
    Tool tool = new Tool();
    CommandLine line = CommandLines.create(tool, System.out, System.err);
    assertEquals(0, line.execute("sub", "--choice", "On", "--rcvbuf", "64K", "--count", "5", "--wait", "2"));
    Sub sub = line.getSubcommands().get("sub").getCommand();
    assertEquals("9102 false 65536 ON 5 PT2S", sub.seen);
    assertEquals(0, line.execute("sub", "--metrics-port", "9200"));
    assertEquals("9200 true null AUTO 1 PT0S", sub.seen);
  }

  @Test
  void every_usage_error_is_one_line_of_the_same_shape() {
    String[][] bad = {
        {"sub", "--choice", "maybe"}, {"sub", "--count", "1e9"}, {"sub", "--rcvbuf", "2G"},
        {"sub", "--metrics-port", "abc"}, {"sub", "--metrics-port", "70000"}, {"sub", "--wait", "5x"},
        {"sub", "--bogus"}};
    for (String[] args : bad) {
      err.reset();
      assertEquals(ExitCodes.USAGE, run(new Tool(), args), String.join(" ", args));
      String line = err();
      assertTrue(line.matches("tool sub: .+ \\(usage: tool sub \\[OPTIONS\\]; --help lists the options\\)\\R"), line);
    }
    err.reset();
    run(new Tool(), "sub", "--choice", "maybe");
    assertTrue(err().contains("'maybe' is not one of auto, on, off"), err());
    err.reset();
    run(new Tool(), "sub", "--metrics-port", "abc");
    assertTrue(err().contains("'abc' is not a port number 0..65535"), err());
  }

  @Test
  void a_command_exception_is_one_line_and_its_code() {
    assertEquals(ExitCodes.ENVIRONMENT, run(new Tool(), "sub", "--fail"));
    assertEquals("tool sub: the port is taken" + System.lineSeparator(), err());
  }

  @Test
  void version_and_help_on_every_command() {
    assertEquals(0, run(new Tool(), "sub", "--version"));
    assertEquals("tool dev" + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
    out.reset();
    assertEquals(0, run(new Tool(), "sub", "--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.contains("(default: 9102)"), help);
    assertTrue(help.indexOf("--metrics-port") < help.indexOf("--rcvbuf") && help.indexOf("--rcvbuf") < help.indexOf("--choice"),
        "declaration order: " + help);
  }
}
