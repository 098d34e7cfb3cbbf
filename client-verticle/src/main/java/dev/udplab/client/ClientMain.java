package dev.udplab.client;

import dev.udplab.client.cli.DemoCommand;
import dev.udplab.client.cli.FloodCommand;
import dev.udplab.client.cli.SendCommand;
import dev.udplab.common.cli.CommandLines;
import dev.udplab.common.cli.HelpSections;
import dev.udplab.common.runtime.ProcessProperties;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code udp-client}: the command line of the client jar. Each subcommand is its own class; the grammar (help,
 * version, converters, the usage-error line and every exit code) is common's {@link CommandLines}, applied to
 * the subcommands too. {@link #run} returns the exit code without calling {@code System.exit}.
 */
@Command(name = "udp-client",
    description = "Measuring UDP client: request/reply (send), load and loss (flood), self-contained demo (demo).",
    subcommands = {SendCommand.class, FloodCommand.class, DemoCommand.class})
public final class ClientMain implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  private final InputStream stdin;

  private ClientMain(InputStream stdin) {
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    ProcessProperties.apply();
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the command line and returns the exit code; never calls {@code System.exit}. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    CommandLine commandLine = commandLine(in, out, err);
    try {
      return commandLine.execute(args);
    } finally {
      commandLine.getOut().flush();
      commandLine.getErr().flush();
    }
  }

  /** The command line with every subcommand, as {@link #run} executes it (tests parse with it). */
  public static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
    CommandLine commandLine = CommandLines.create(new ClientMain(in), out, err);
    HelpSections.applyAll(commandLine);
    return commandLine;
  }

  /** Standard input for commands that read messages from it. */
  public InputStream stdin() {
    return stdin;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command: send, flood or demo");
  }
}
