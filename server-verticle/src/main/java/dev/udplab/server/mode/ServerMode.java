package dev.udplab.server.mode;

import dev.udplab.common.cli.Converters;
import java.util.List;

/**
 * What a server socket does with each datagram, the port it listens on by default, and the {@link Responder} that
 * does it. {@link #ALL} is not a socket of its own: it stands for the four others, each on its default port.
 */
public enum ServerMode {
  /** Every datagram back unchanged (RFC 862). */
  ECHO(20001),
  /** The text in capitals (the Kurose and Ross server). */
  UPPERCASE(12000),
  /** The greeting, whatever the request. */
  GREETING(20000),
  /** Counts and prints, never answers (the one-way lab). */
  SINK(5005),
  /** The four above in one process. */
  ALL(0);

  private final int defaultPort;

  ServerMode(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  /**
   * The port this mode listens on when {@code --port} is not given.
   *
   * @throws UnsupportedOperationException for {@link #ALL}, which has one port per mode of {@link #sockets()}
   */
  public int defaultPort() {
    if (this == ALL) {
      throw new UnsupportedOperationException("mode all listens on the default port of each of its modes");
    }
    return defaultPort;
  }

  /** The lower-case name used on the command line, in output and in the {@code mode} metric label. */
  public String label() {
    return Converters.label(this);
  }

  /** {@link #label()}, so that {@code --help} and messages spell the mode as the command line does. */
  @Override
  public String toString() {
    return label();
  }

  /** The single-socket modes this mode runs: itself, or the four for {@link #ALL}. */
  public List<ServerMode> sockets() {
    return this == ALL ? List.of(ECHO, UPPERCASE, GREETING, SINK) : List.of(this);
  }

  /**
   * A new responder for one socket of this mode: one per socket, because a responder may keep state for its event
   * loop (a decoder).
   *
   * @param greeting the greeting mode's text
   * @throws UnsupportedOperationException for {@link #ALL}
   */
  public Responder newResponder(String greeting) {
    switch (this) {
      case ECHO:
        return Responders.ECHO;
      case UPPERCASE:
        return new Responders.Uppercase();
      case GREETING:
        return new Responders.Greeting(greeting);
      case SINK:
        return Responders.SINK;
      default:
        throw new UnsupportedOperationException("mode all has no single responder; deploy one socket per mode");
    }
  }
}
