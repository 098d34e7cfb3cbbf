package dev.udplab.client.net;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.net.DatagramChannels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;

/**
 * The one way {@code send} and {@code flood} open a client socket: the requested buffers, whole datagrams read in
 * batches ({@link DatagramChannels#readWholeDatagramsInBatches}), and a failure to open or bind it reported as one
 * line with exit code 4.
 *
 * <p>The read buffers matter beyond speed: Vert.x sizes each read's buffer to SO_RCVBUF, so a socket asked
 * for {@code --rcvbuf 256M} tried to allocate 256 MB per datagram and never saw a reply, while one left at
 * the 2048-byte default cut larger replies.
 */
public final class ClientSockets {

  private ClientSockets() {
  }

  /**
   * A socket for {@code target} with {@code buffers}, not yet bound.
   *
   * @throws CommandException (exit 4) when no socket of the target's family can be opened
   */
  public static DatagramSocket create(Vertx vertx, SocketBuffers buffers, HostPort target) {
    DatagramSocket socket;
    try {
      socket = vertx.createDatagramSocket(buffers.socketOptions(target));
    } catch (RuntimeException e) {
      // e.g. an IPv6 target on a machine without IPv6: the user's to fix, not a stack trace
      throw CommandException.environment("cannot open a UDP socket for " + target.label() + " ("
          + (target.isIpv6() ? "IPv6" : "IPv4") + "): " + e.getMessage());
    }
    DatagramChannels.readWholeDatagramsInBatches(DatagramChannels.channelOf(socket));
    return socket;
  }

  /**
   * Binds {@code socket} to an ephemeral port of {@link HostPort#bindHost()} (listen first, even for a client:
   * Vert.x creates {@code vertx_datagram_bytes_read} only for listening sockets).
   *
   * @return the bound socket, or a failed future with a {@link CommandException} (exit code 4)
   */
  public static Future<DatagramSocket> listen(DatagramSocket socket, HostPort target) {
    return socket.listen(0, target.bindHost())
        .recover(e -> Future.failedFuture(CommandException.environment("cannot bind a UDP socket on "
            + target.bindHost() + " for target " + target.label() + ": " + e.getMessage())));
  }
}
