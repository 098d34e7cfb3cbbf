package dev.udplab.client;

import io.netty.channel.Channel;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.vertx.core.datagram.DatagramSocket;
import java.lang.reflect.Field;

/**
 * Lets a Vert.x datagram socket read many datagrams per readiness event instead of one.
 *
 * <p>Vert.x 5 configures every datagram channel with {@code maxMessagesPerRead(1)} and a receive buffer
 * as large as SO_RCVBUF, and offers no option for either. With one read per wakeup, a client that sends
 * while it reads fell to about 700 replies/s on this machine while the replies queued up in its own full
 * receive buffer ({@code /proc/net/udp} showed rx_queue at SO_RCVBUF and the drops on the client's
 * socket): the flood measured itself, not the server. Reaching the Netty channel needs reflection on
 * {@code DatagramSocketImpl.channel}; if a future Vert.x renames it, the socket keeps Vert.x's settings.
 */
final class DatagramReads {

  /** Datagrams read per readiness event. */
  static final int MAX_MESSAGES_PER_READ = 64;
  /** One read buffer holds the largest UDP payload. */
  static final int READ_BUFFER_BYTES = 65536;

  private DatagramReads() {
  }

  /** Applies the batched read; returns false when the Vert.x internals were not as expected. */
  static boolean batch(DatagramSocket socket) {
    try {
      Field field = socket.getClass().getDeclaredField("channel");
      field.setAccessible(true);
      Channel channel = (Channel) field.get(socket);
      channel.config().setRecvByteBufAllocator(
          new FixedRecvByteBufAllocator(READ_BUFFER_BYTES).maxMessagesPerRead(MAX_MESSAGES_PER_READ));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
