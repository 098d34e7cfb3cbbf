package dev.udplab.client;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code udp-client}: the command line of the client jar. Each subcommand is its own class registered below;
 * {@link #run} maps every outcome to one of the {@link ExitCodes} without calling {@code System.exit}.
 */
@Command(name = "udp-client",
    mixinStandardHelpOptions = true,
    versionProvider = ClientMain.Version.class,
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
    ClientRuntime.tuneProcess();
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the command line with {@code System.in} as standard input and returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.in, out, err);
  }

  /** Runs the command line and returns the exit code; never calls {@code System.exit}. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    CommandLine commandLine = new CommandLine(new ClientMain(in))
        .setOut(outWriter)
        .setErr(errWriter)
        .setParameterExceptionHandler(ClientMain::usageError)
        .setExecutionExceptionHandler(ClientMain::executionError);
    try {
      return commandLine.execute(args);
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }

  /** Standard input for commands that read messages from it. */
  InputStream stdin() {
    return stdin;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command: send, flood or demo");
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    String synopsis = command.getHelp().abbreviatedSynopsis().trim();
    command.getErr().println(name + ": " + e.getMessage() + " (usage: " + synopsis + "; see " + name + " --help)");
    return ExitCodes.USAGE;
  }

  private static int executionError(Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
    if (e instanceof CommandException failure) {
      command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + failure.getMessage());
      return failure.exitCode();
    }
    // Not the user's doing: the stack trace is for us.
    e.printStackTrace(command.getErr());
    return ExitCodes.ENVIRONMENT;
  }

  /** The version from the jar manifest ({@code dev} when run from classes). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = ClientMain.class.getPackage().getImplementationVersion();
      return new String[] {"udp-client " + (version == null ? "dev" : version)};
    }
  }
}
