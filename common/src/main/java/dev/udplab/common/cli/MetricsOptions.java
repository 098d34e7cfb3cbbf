package dev.udplab.common.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --metrics-port} and {@code --metrics-host}, the same on every command that serves {@code /metrics}: a
 * picocli mixin that each command creates with its own default port ({@code @Mixin MetricsOptions metrics =
 * new MetricsOptions(9101)}), so that {@code --help} shows it. {@link #portGiven()} tells an explicit port (whose
 * failure is an error) from the default (whose failure a command may work around).
 */
public final class MetricsOptions {

  /** Where the endpoint binds unless {@code --metrics-host} or the command says otherwise. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(names = "--metrics-port", paramLabel = "PORT", converter = Converters.Port.class,
      description = "TCP port of the Prometheus endpoint http://HOST:PORT/metrics; 0 turns it off "
          + "(default: ${DEFAULT-VALUE})")
  private int port;

  @Option(names = "--metrics-host", paramLabel = "ADDRESS",
      description = "address the metrics endpoint binds (default: the loopback address; udp-server bound to "
          + "a --host that is not loopback: that address)")
  private String host;

  /** A mixin whose {@code --metrics-port} defaults to {@code defaultPort}. */
  public MetricsOptions(int defaultPort) {
    this.port = defaultPort;
  }

  /** For picocli's reflection only; commands use {@link #MetricsOptions(int)}. */
  public MetricsOptions() {
    this(0);
  }

  /** {@code --metrics-port}, or the command's default; 0 = no endpoint. */
  public int port() {
    return port;
  }

  /** Whether {@code --metrics-port} was on the command line. */
  public boolean portGiven() {
    return mixee != null && mixee.commandLine() != null && mixee.commandLine().getParseResult() != null
        && mixee.commandLine().getParseResult().hasMatchedOption("--metrics-port");
  }

  /** {@code --metrics-host} as given, or null when not given. */
  public String host() {
    return host;
  }

  /** {@code --metrics-host}, or {@code defaultHost} when not given. */
  public String hostOr(String defaultHost) {
    return host == null ? defaultHost : host;
  }
}
