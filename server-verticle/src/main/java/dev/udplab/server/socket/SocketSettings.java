package dev.udplab.server.socket;

import dev.udplab.server.mode.ServerMode;

/**
 * Where and how one server socket listens; {@code ServerConfig.socket(mode)} makes one per mode.
 *
 * @param mode               a single-socket mode (not {@link ServerMode#ALL})
 * @param host               the address to bind, an IP literal or a name the JDK resolves
 * @param port               the UDP port, 0 for any free port
 * @param receiveBufferBytes the SO_RCVBUF request, or null for the kernel's default
 * @param sendBufferBytes    the SO_SNDBUF request, or null for the kernel's default
 * @param reusePort          SO_REUSEPORT, so that several instances share the port
 * @param quiet              print no sampled datagrams
 * @param greeting           the greeting mode's text
 */
public record SocketSettings(ServerMode mode, String host, int port, Integer receiveBufferBytes,
                             Integer sendBufferBytes, boolean reusePort, boolean quiet, String greeting) {

  public SocketSettings {
    if (mode == ServerMode.ALL) {
      throw new IllegalArgumentException("one socket serves one mode; make one per mode of 'all'");
    }
  }
}
