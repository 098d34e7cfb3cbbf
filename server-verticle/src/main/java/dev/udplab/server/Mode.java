package dev.udplab.server;

import java.util.List;
import java.util.Locale;

/**
 * What a server socket does with each datagram, and the port it listens on by default.
 * {@link #ALL} is not a socket of its own: it stands for the four others, each on its default port.
 */
public enum Mode {
  ECHO(20001),
  UPPERCASE(12000),
  GREETING(20000),
  SINK(5005),
  ALL(-1);

  private final int defaultPort;

  Mode(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  /** The port this mode listens on when {@code --port} is not given; -1 for {@link #ALL}. */
  public int defaultPort() {
    return defaultPort;
  }

  /** The lower-case name used on the command line, in output and in the {@code mode} metric label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The single-socket modes this mode runs: itself, or the four for {@link #ALL}. */
  public List<Mode> sockets() {
    return this == ALL ? List.of(ECHO, UPPERCASE, GREETING, SINK) : List.of(this);
  }

  /** Parses a command-line mode name, case-insensitively. */
  public static Mode parse(String text) {
    for (Mode mode : values()) {
      if (mode.label().equalsIgnoreCase(text.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException("unknown mode '" + text + "' (expected echo, uppercase, greeting, sink or all)");
  }
}
