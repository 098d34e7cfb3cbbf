package dev.udplab.common.runtime;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.Converters;
import io.vertx.core.transport.Transport;

/** Which Netty transport a process runs on: {@code --transport auto|epoll|nio}. */
public enum TransportChoice {
  /** Native epoll where it loads, NIO otherwise. */
  AUTO,
  /** Native epoll, or a start failure. */
  EPOLL,
  /** The JDK's NIO. */
  NIO;

  /**
   * The Vert.x transport for this choice.
   *
   * @throws CommandException (exit 4) for {@link #EPOLL} where the native transport does not load
   */
  public Transport resolve() {
    switch (this) {
      case NIO:
        return Transport.NIO;
      case EPOLL:
        if (!Transport.EPOLL.available()) {
          throw CommandException.environment("--transport epoll: the native epoll transport is unavailable here ("
              + Transport.EPOLL.unavailabilityCause() + "); use --transport nio or auto");
        }
        return Transport.EPOLL;
      default:
        Transport chosen = Transport.nativeTransport();
        return chosen != null && chosen.available() ? chosen : Transport.NIO;
    }
  }

  /** The command-line spelling, {@code auto}, {@code epoll} or {@code nio}, as {@code --help} shows the default. */
  @Override
  public String toString() {
    return Converters.label(this);
  }

  /** Whether a native transport loads here (what {@link #AUTO} picks). */
  public static boolean nativeAvailable() {
    Transport chosen = Transport.nativeTransport();
    return chosen != null && chosen.available();
  }

  /** Why no native transport loads here, for a one-line note; never null. */
  public static String nativeUnavailableReason() {
    Transport wanted = Transport.nativeTransport();
    if (wanted == null) {
      return "no native transport for this platform";
    }
    return wanted.unavailabilityCause() == null ? "unavailable" : String.valueOf(wanted.unavailabilityCause());
  }
}
