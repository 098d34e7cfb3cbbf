package dev.udplab.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * {@code java -jar udp-server.jar MODE [options]}: parses the command line into {@link ServerOptions}, starts a
 * {@link ServerRuntime}, and on SIGINT or SIGTERM stops it, prints the final counts and exits 0.
 * Exit codes: 0 ok, 2 bad usage, 4 a port or address could not be bound.
 */
@Command(name = "udp-server", mixinStandardHelpOptions = true, versionProvider = ServerMain.Version.class,
    sortOptions = false, usageHelpAutoWidth = true,
    description = "UDP lab servers that count every datagram: echo, uppercase, greeting, sink, or all four.",
    footer = {"", "Default ports: echo 20001, uppercase 12000, greeting 20000, sink 5005.",
        "Exit codes: 0 ok, 2 bad usage, 4 a port or address could not be bound."})
public final class ServerMain implements Callable<Integer> {
  /** Exit code: ok. */
  public static final int EXIT_OK = 0;
  /** Exit code: bad usage (one line on stderr). */
  public static final int EXIT_USAGE = 2;
  /** The one usage line printed after a usage error. */
  public static final String USAGE_LINE =
      "usage: java -jar udp-server.jar echo|uppercase|greeting|sink|all [options] (--help lists them)";

  @Parameters(index = "0", paramLabel = "MODE", converter = ModeConverter.class,
      description = "echo, uppercase, greeting, sink or all")
  Mode mode;

  @Option(names = "--host", paramLabel = "ADDRESS", description = "address to bind (default: ${DEFAULT-VALUE})")
  String host = ServerOptions.DEFAULT_HOST;

  @Option(names = "--port", paramLabel = "PORT", description = "UDP port, 0 for any free port (default: the mode's)")
  Integer port;

  @Option(names = "--message", paramLabel = "TEXT", description = "greeting text (default: ${DEFAULT-VALUE})")
  String message = ServerOptions.DEFAULT_MESSAGE;

  @Option(names = "--rcvbuf", paramLabel = "BYTES", description = "SO_RCVBUF to request (Linux grants double, capped)")
  Integer rcvbuf;

  @Option(names = "--sndbuf", paramLabel = "BYTES", description = "SO_SNDBUF to request (Linux grants double, capped)")
  Integer sndbuf;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Prometheus endpoint port, 0 turns it off (default: ${DEFAULT-VALUE})")
  int metricsPort = ServerOptions.DEFAULT_METRICS_PORT;

  @Option(names = "--instances", paramLabel = "N",
      description = "sockets per mode on one port via SO_REUSEPORT, one per event loop (default: ${DEFAULT-VALUE})")
  int instances = ServerOptions.DEFAULT_INSTANCES;

  @Option(names = "--transport", paramLabel = "KIND", converter = TransportConverter.class,
      description = "auto (native epoll if available, else NIO), epoll or nio (default: auto)")
  ServerOptions.TransportChoice transport = ServerOptions.DEFAULT_TRANSPORT;

  @Option(names = "--quiet", description = "print only the start and stop lines")
  boolean quiet;

  @Option(names = "--guards", paramLabel = "auto|on|off", converter = GuardsConverter.class,
      description = "reply guards: auto (public policy unless bound to loopback), on (public policy on any bind), "
          + "off (default: auto)")
  GuardSettings.Mode guards = ServerOptions.DEFAULT_GUARDS;

  @Option(names = "--rate-limit", paramLabel = "PPS",
      description = "replies per second per source address (IPv6: per /64); 0 = off (default: 1000 on a public bind, "
          + "off on loopback)")
  Long rateLimit;

  @Option(names = "--burst", paramLabel = "N", description = "replies a source may get at once (default: 2 s of the rate)")
  Long burst;

  @Option(names = "--max-sources", paramLabel = "N",
      description = "sources the rate limiter remembers, least recently seen evicted (default: ${DEFAULT-VALUE})")
  int maxSources = ServerOptions.DEFAULT_MAX_SOURCES;

  @Option(names = "--allow-amplification",
      description = "on a public bind, answer even when the reply is larger than the request")
  boolean allowAmplification;

  private ServerOptions parsed;

  @Override
  public Integer call() {
    // -1 means "not given" inside ServerOptions, so a -1 typed by the user is refused here.
    if (port != null && port < 0) {
      throw usageError("--port " + port + " is out of range 0..65535");
    }
    if (rcvbuf != null && rcvbuf < 1 || sndbuf != null && sndbuf < 1) {
      throw usageError((rcvbuf != null && rcvbuf < 1 ? "--rcvbuf " + rcvbuf : "--sndbuf " + sndbuf)
          + " is out of range 1.." + ServerOptions.MAX_BUFFER_SIZE + " bytes");
    }
    if (rateLimit != null && rateLimit < 0) {
      throw usageError("--rate-limit " + rateLimit + " is out of range 0.." + SourceRateLimiter.MAX_RATE
          + " datagrams per second per source (0 turns it off)");
    }
    if (burst != null && burst < 1) {
      throw usageError("--burst " + burst + " is out of range 1.." + SourceRateLimiter.MAX_BURST);
    }
    ServerOptions options = new ServerOptions()
        .setMode(mode)
        .setHost(host)
        .setPort(port == null ? ServerOptions.DEFAULT_PORT : port)
        .setMessage(message)
        .setReceiveBufferSize(rcvbuf == null ? ServerOptions.DEFAULT_RECEIVE_BUFFER_SIZE : rcvbuf)
        .setSendBufferSize(sndbuf == null ? ServerOptions.DEFAULT_SEND_BUFFER_SIZE : sndbuf)
        .setMetricsPort(metricsPort)
        .setInstances(instances)
        .setTransport(transport)
        .setQuiet(quiet)
        .setGuards(guards)
        .setRateLimit(rateLimit == null ? ServerOptions.DEFAULT_RATE_LIMIT : rateLimit)
        .setBurst(burst == null ? ServerOptions.DEFAULT_BURST : burst)
        .setMaxSources(maxSources)
        .setAllowAmplification(allowAmplification);
    try {
      parsed = options.validate();
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    }
    return EXIT_OK;
  }

  private CommandLine.ParameterException usageError(String message) {
    return new CommandLine.ParameterException(new CommandLine(this), message);
  }

  /** The outcome of {@link #parse}: options to run with, or an exit code when there is nothing to run. */
  public static final class Parsed {
    private final ServerOptions options;
    private final int exitCode;

    Parsed(ServerOptions options, int exitCode) {
      this.options = options;
      this.exitCode = exitCode;
    }

    /** The validated options, or {@code null} when the process should exit with {@link #exitCode()}. */
    public ServerOptions options() {
      return options;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  /**
   * Parses and validates a command line. {@code --help} and {@code --version} print to {@code out} and give
   * exit code 0; a usage error prints one line to {@code err} and gives exit code 2.
   */
  public static Parsed parse(String[] args, PrintStream out, PrintStream err) {
    ServerMain command = new ServerMain();
    CommandLine commandLine = new CommandLine(command)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .setParameterExceptionHandler((problem, badArgs) -> {
          err.println("udp-server: " + problem.getMessage() + "; " + USAGE_LINE);
          return EXIT_USAGE;
        });
    int code = commandLine.execute(args);
    return new Parsed(code == EXIT_OK ? command.parsed : null, code);
  }

  /** Starts the server described by {@code args}; returns an exit code, or {@code null} if it is now running. */
  static Integer startFromCommandLine(String[] args, PrintStream out, PrintStream err, ServerRuntime[] started) {
    Parsed parsed = parse(args, out, err);
    if (parsed.options() == null) {
      return parsed.exitCode();
    }
    try {
      started[0] = ServerRuntime.start(parsed.options(), out, err);
      return null;
    } catch (StartException e) {
      err.println("udp-server: " + e.getMessage());
      return StartException.EXIT_CODE;
    }
  }

  public static void main(String[] args) {
    ServerRuntime.tuneProcess();
    ServerRuntime[] started = new ServerRuntime[1];
    Integer exitCode = startFromCommandLine(args, System.out, System.err, started);
    if (exitCode != null) {
      System.exit(exitCode);
    }
    stopOnSignals(started[0]);
  }

  /**
   * SIGINT and SIGTERM stop the server and exit 0. The JVM's own handlers would exit 130 or 143 after the
   * shutdown hooks, so we take the two signals over; the shutdown hook stays for other exits (SIGHUP).
   */
  private static void stopOnSignals(ServerRuntime runtime) {
    Runtime.getRuntime().addShutdownHook(new Thread(runtime::stop, "udp-server-shutdown"));
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal.handle(new Signal(name), signal -> {
          runtime.stop();
          System.exit(EXIT_OK);
        });
      } catch (IllegalArgumentException unsupported) {
        // This JVM keeps the signal (for example with -Xrs): the shutdown hook still prints the counts.
      }
    }
  }

  /** Reads the version Maven wrote into {@code udplab-server.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = ServerMain.class.getResourceAsStream("/udplab-server.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"udp-server " + properties.getProperty("version", "unknown")};
    }
  }

  static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      try {
        return Mode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class GuardsConverter implements CommandLine.ITypeConverter<GuardSettings.Mode> {
    @Override
    public GuardSettings.Mode convert(String value) {
      try {
        return GuardSettings.Mode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class TransportConverter implements CommandLine.ITypeConverter<ServerOptions.TransportChoice> {
    @Override
    public ServerOptions.TransportChoice convert(String value) {
      for (ServerOptions.TransportChoice choice : ServerOptions.TransportChoice.values()) {
        if (choice.name().equalsIgnoreCase(value)) {
          return choice;
        }
      }
      throw new CommandLine.TypeConversionException("unknown transport '" + value + "' (expected auto, epoll or nio)");
    }
  }
}
