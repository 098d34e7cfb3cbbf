package dev.udplab.client;

import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.datagram.DatagramSocket;
import java.lang.reflect.Field;

/**
 * Lets a Vert.x datagram socket read many datagrams per readiness event instead of one, and reach the Netty
 * channel under it.
 *
 * <p>Vert.x 5 configures every datagram channel with {@code maxMessagesPerRead(1)} and a receive buffer
 * as large as SO_RCVBUF, and offers no option for either. With one read per wakeup, a client that sends
 * while it reads fell to about 700 replies/s on this machine while the replies queued up in its own full
 * receive buffer ({@code /proc/net/udp} showed rx_queue at SO_RCVBUF and the drops on the client's
 * socket): the flood measured itself, not the server. Reaching the Netty channel needs reflection on
 * {@code DatagramSocketImpl.channel}; if a future Vert.x renames it, the socket keeps Vert.x's settings
 * and {@link #channelOf} says so.
 */
final class DatagramReads {

  /** Datagrams read per readiness event. */
  static final int MAX_MESSAGES_PER_READ = 64;
  /** One read buffer holds the largest UDP payload. */
  static final int READ_BUFFER_BYTES = 65536;
  /**
   * Datagrams one {@code recvmmsg} call may take on the epoll transport, each into its own 64 KiB slice (so every
   * datagram still arrives whole), as the server does; {@code -Dudplab.recvmmsg=1} reads one per call.
   */
  static final int RECVMMSG_DATAGRAMS = Math.max(1, Integer.getInteger("udplab.recvmmsg", 16));

  private DatagramReads() {
  }

  /** Applies the batched read; returns false when the Vert.x internals were not as expected. */
  static boolean batch(DatagramSocket socket) {
    DatagramChannel channel;
    try {
      channel = channelOf(socket);
    } catch (IllegalStateException e) {
      return false;
    }
    if (channel instanceof EpollDatagramChannel && RECVMMSG_DATAGRAMS > 1) {
      // with a payload size set, Netty's epoll reads floor(buffer / size) datagrams per recvmmsg into slices
      channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(RECVMMSG_DATAGRAMS * READ_BUFFER_BYTES)
          .maxMessagesPerRead(MAX_MESSAGES_PER_READ));
      channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, READ_BUFFER_BYTES);
      return true;
    }
    channel.config().setRecvByteBufAllocator(
        new FixedRecvByteBufAllocator(READ_BUFFER_BYTES).maxMessagesPerRead(MAX_MESSAGES_PER_READ));
    return true;
  }

  /** The Netty channel of a socket created by {@code vertx.createDatagramSocket}. */
  static DatagramChannel channelOf(DatagramSocket socket) {
    try {
      Field field = socket.getClass().getDeclaredField("channel");
      field.setAccessible(true);
      return (DatagramChannel) field.get(socket);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot reach the Netty channel of " + socket.getClass().getName()
          + "; this Vert.x version is not supported", e);
    }
  }
}
