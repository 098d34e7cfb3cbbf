package dev.udplab.server;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.CommandLines;
import dev.udplab.common.cli.Converters;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.cli.HelpSections;
import dev.udplab.common.cli.MetricsOptions;
import dev.udplab.common.cli.SocketBufferOptions;
import dev.udplab.common.runtime.ProcessProperties;
import dev.udplab.common.runtime.Signals;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.server.guard.GuardPolicy;
import dev.udplab.server.guard.GuardSettings;
import dev.udplab.server.mode.ServerMode;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar udp-server.jar MODE [options]}: parses the command line into a {@link ServerConfig}, starts a
 * {@link ServerRuntime}, and on SIGINT or SIGTERM stops it, prints the final counts and exits 0.
 * Exit codes: 0 ok, 2 bad usage, 4 a port or address could not be bound or another start failure (out of memory
 * included); whatever was opened before a failed start is closed first.
 */
@Command(name = "udp-server",
    description = "UDP lab servers that count every datagram: echo, uppercase, greeting, sink, or all four.",
    footer = {"", "Default ports: echo 20001, uppercase 12000, greeting 20000, sink 5005.",
        "Exit codes: 0 ok, 2 bad usage, 4 a port or address could not be bound, or out of memory at start."})
public final class ServerMain implements Callable<Integer>, HelpSections.Sectioned {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODE", description = "echo, uppercase, greeting, sink or all")
  ServerMode mode;

  @Option(names = "--message", paramLabel = "TEXT", description = "the greeting's text (default: ${DEFAULT-VALUE})")
  String message = ServerConfig.DEFAULT_MESSAGE;

  @Option(names = "--host", paramLabel = "ADDRESS",
      description = "address to bind: 0.0.0.0 for every interface, ::1 for IPv6 (default: ${DEFAULT-VALUE})")
  String host = ServerConfig.DEFAULT_HOST;

  @Option(names = "--port", paramLabel = "PORT", converter = Converters.Port.class,
      description = "UDP port, 0 for any free port (default: the mode's)")
  Integer port;

  @Mixin
  SocketBufferOptions buffers;

  @Option(names = "--instances", paramLabel = "N",
      description = "sockets per mode on one port via SO_REUSEPORT, one per event loop; needs epoll and a fixed "
          + "--port (default: ${DEFAULT-VALUE})")
  int instances = 1;

  @Option(names = "--transport", paramLabel = "auto|epoll|nio",
      description = "auto: native epoll if available, else NIO (default: ${DEFAULT-VALUE})")
  TransportChoice transport = TransportChoice.AUTO;

  @Option(names = "--guards", paramLabel = "auto|on|off",
      description = "reply guards: auto (public policy unless bound to loopback), on (public policy on any bind), "
          + "off (default: ${DEFAULT-VALUE})")
  GuardPolicy guards = GuardPolicy.AUTO;

  @Option(names = "--rate-limit", paramLabel = "PPS",
      description = "replies per second per source address (IPv6: per /64); 0 = off (default: "
          + GuardSettings.DEFAULT_PUBLIC_RATE_LIMIT + " on a public bind, off on loopback)")
  Long rateLimit;

  @Option(names = "--burst", paramLabel = "N",
      description = "replies a source may get at once (default: " + GuardSettings.DEFAULT_BURST_SECONDS
          + " s of the rate)")
  Long burst;

  @Option(names = "--max-sources", paramLabel = "N",
      description = "sources the rate limiter remembers, least recently seen evicted (default: ${DEFAULT-VALUE})")
  int maxSources = GuardSettings.DEFAULT_MAX_SOURCES;

  @Option(names = "--allow-amplification",
      description = "on a public bind, answer even when the reply is larger than the request")
  boolean allowAmplification;

  @Mixin
  MetricsOptions metrics = new MetricsOptions(ServerConfig.DEFAULT_METRICS_PORT);

  @Option(names = "--quiet", description = "print only the start and stop lines")
  boolean quiet;

  private ServerConfig config;

  /** Builds the {@link ServerConfig}; a value it refuses is a usage error. */
  @Override
  public Integer call() {
    try {
      config = new ServerConfig(mode, host, port, message, buffers.receiveBytes(), buffers.sendBytes(),
          metrics.port(), metrics.host(), instances, transport, quiet, guards, rateLimit, burst, maxSources,
          allowAmplification);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return ExitCodes.OK;
  }

  @Override
  public List<HelpSections.Section> helpSections() {
    return List.of(
        HelpSections.section("Sockets", "--host", "--port", "--rcvbuf", "--sndbuf", "--instances", "--transport"),
        HelpSections.section("Greeting", "--message"),
        HelpSections.section("Guards (public binds)", "--guards", "--rate-limit", "--burst", "--max-sources",
            "--allow-amplification"),
        HelpSections.section("Metrics", "--metrics-port", "--metrics-host"),
        HelpSections.section("Output", "--quiet"));
  }

  /** The command line of {@code udp-server}: the one grammar, options under headings in {@code --help}. */
  public static CommandLine commandLine(ServerMain command, PrintStream out, PrintStream err) {
    CommandLine commandLine = CommandLines.create(command, out, err);
    HelpSections.applyAll(commandLine);
    return commandLine;
  }

  /**
   * The outcome of {@link #parse}.
   *
   * @param config   what to run, or null when the process should exit with {@code exitCode}
   * @param exitCode 0 with a config, or after {@code --help} or {@code --version}; 2 after a usage error
   */
  public record Parsed(ServerConfig config, int exitCode) {
  }

  /**
   * Parses and validates a command line. {@code --help} and {@code --version} print to {@code out} and give
   * exit code 0; a usage error prints one line to {@code err} and gives exit code 2.
   */
  public static Parsed parse(String[] args, PrintStream out, PrintStream err) {
    ServerMain command = new ServerMain();
    int code = commandLine(command, out, err).execute(args);
    return new Parsed(code == ExitCodes.OK ? command.config : null, code);
  }

  /**
   * Parses {@code args} and starts the server they describe, handing it to {@code process}. Returns the exit code
   * when there is nothing (more) to run: after {@code --help}, a usage error, a failed start, or a stop that came
   * during the start; null while the server runs.
   */
  static Integer startFromCommandLine(String[] args, PrintStream out, PrintStream err, ServerProcess process) {
    Parsed parsed = parse(args, out, err);
    if (parsed.config() == null) {
      return parsed.exitCode();
    }
    try {
      return process.started(ServerRuntime.start(parsed.config(), out, err)) ? null : ExitCodes.OK;
    } catch (CommandException e) {
      err.println("udp-server: " + e.getMessage());
      return e.exitCode();
    }
  }

  public static void main(String[] args) {
    // First, before anything slow: a SIGTERM during the start still ends with the final counts and exit 0.
    ServerProcess process = new ServerProcess();
    for (String signal : new String[] {"INT", "TERM"}) {
      Signals.handle(signal, () -> {
        if (process.stop()) {
          System.exit(ExitCodes.OK);
        }
      });
    }
    ProcessProperties.apply();
    Integer exitCode;
    try {
      exitCode = startFromCommandLine(args, System.out, System.err, process);
    } catch (OutOfMemoryError e) {
      // ServerRuntime.start has closed whatever it opened; the heap is what the user chose.
      System.err.println("udp-server: out of memory while starting (" + e.getMessage() + "): give the JVM more heap "
          + "(-Xmx) or ask for less (each port's rate-limit table takes about 40 bytes per --max-sources entry)");
      exitCode = ExitCodes.ENVIRONMENT;
    } catch (RuntimeException | Error e) {
      // Not the user's doing: the stack trace is for us (and Vert.x's threads must not keep the JVM alive).
      e.printStackTrace();
      exitCode = ExitCodes.ENVIRONMENT;
    }
    if (exitCode != null) {
      System.exit(exitCode);
    }
    // Other ways out (SIGHUP, System.exit elsewhere) still print the final counts.
    Runtime.getRuntime().addShutdownHook(new Thread(process::stop, "udp-server-shutdown"));
  }
}
