package dev.udplab.client.net;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.net.DatagramChannels;
import dev.udplab.common.runtime.BindFailures;
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
    return listen(socket, target, null, 0);
  }

  /**
   * Binds socket number {@code index} of a flood to {@code bind} ({@code --bind}: its address, and its port plus
   * {@code index} when it has one), or as {@link #listen(DatagramSocket, HostPort)} does when {@code bind} is null.
   *
   * @return the bound socket, or a failed future with a {@link CommandException} (exit code 4) in the user's terms
   */
  public static Future<DatagramSocket> listen(DatagramSocket socket, HostPort target, BindAddress bind, int index) {
    String host = bind == null ? target.bindHost() : bind.host();
    int port = bind == null ? 0 : bind.portOf(index);
    return socket.listen(port, host)
        .recover(e -> Future.failedFuture(CommandException.environment(bind == null
            ? "cannot bind a UDP socket on " + host + " for target " + target.label() + ": " + e.getMessage()
            : BindFailures.describe("UDP port", host, port, e, "choose another --bind port, or leave the port out"))));
  }
}
