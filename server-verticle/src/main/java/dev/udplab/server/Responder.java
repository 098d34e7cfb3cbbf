package dev.udplab.server;

/**
 * What a server mode answers: bytes in, reply bytes or none. Pure logic, no Vert.x, no I/O.
 * An instance is used by one event loop at a time and may keep reusable state (a decoder).
 */
public interface Responder {

  /**
   * @param request the datagram's bytes (never null, possibly empty)
   * @return the reply; {@code request} itself to send the datagram back unchanged; {@code null} for no reply
   */
  byte[] reply(byte[] request);

  /** A new responder for one socket of {@code mode} (not {@link Mode#ALL}). */
  static Responder forMode(Mode mode, ServerOptions options) {
    switch (mode) {
      case ECHO:
        return new EchoResponder();
      case UPPERCASE:
        return new UppercaseResponder();
      case GREETING:
        return new GreetingResponder(options.getMessage());
      case SINK:
        return new SinkResponder();
      default:
        throw new IllegalArgumentException("mode " + mode.label() + " has no single responder");
    }
  }
}
