package dev.udplab.common.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Test-side UDP peers on blocking JDK sockets: no Vert.x, so the peer never competes with the code under test for
 * its event loops. Sockets bind an ephemeral port; every loop is bounded by a count and a stop condition.
 */
public final class UdpPeers {

  /** One datagram as a peer received it. */
  public record Received(SocketAddress sender, byte[] data) {
  }

  private UdpPeers() {
  }

  /** A blocking socket bound to an ephemeral port on {@code host} ({@code 127.0.0.1} or {@code ::1}). */
  public static DatagramChannel socket(String host) throws IOException {
    DatagramChannel channel = DatagramChannel.open(host.contains(":") ? StandardProtocolFamily.INET6
        : StandardProtocolFamily.INET);
    channel.bind(new InetSocketAddress(host, 0));
    return channel;
  }

  /** {@code count} sockets as {@link #socket(String)}. */
  public static List<DatagramChannel> sockets(String host, int count) throws IOException {
    List<DatagramChannel> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sockets.add(socket(host));
    }
    return sockets;
  }

  public static void closeAll(List<DatagramChannel> sockets) throws IOException {
    for (DatagramChannel socket : sockets) {
      socket.close();
    }
  }

  /** The port {@code socket} is bound to. */
  public static int port(DatagramChannel socket) throws IOException {
    return ((InetSocketAddress) socket.getLocalAddress()).getPort();
  }

  /**
   * Sends {@code count} datagrams of {@code size} bytes, round-robin over {@code sockets}; returns the count. Each
   * begins with its number (as many of its 8 bytes as fit), as a flood's do: the same datagram again and again at
   * full speed is what the server's loop guard takes for a reply loop.
   */
  public static long send(List<DatagramChannel> sockets, InetSocketAddress target, long count, int size)
      throws IOException {
    return send(sockets, target, count, size, () -> false);
  }

  /** As {@link #send(List, InetSocketAddress, long, int)}, stopping early once {@code stop} holds. */
  public static long send(List<DatagramChannel> sockets, InetSocketAddress target, long count, int size,
      BooleanSupplier stop) throws IOException {
    ByteBuffer payload = ByteBuffer.allocateDirect(size);
    long sent = 0;
    while (sent < count && (sent % 1024 != 0 || !stop.getAsBoolean())) {
      numbered(payload, sent);
      sockets.get((int) (sent % sockets.size())).send(payload, target);
      sent++;
    }
    return sent;
  }

  /**
   * As {@link #send(List, InetSocketAddress, long, int, BooleanSupplier)}, but at most {@code perMillisecond}
   * datagrams each millisecond: a rate far above what one event loop answers still overloads a server, while the
   * sender leaves some of a 2-core machine to the rest of the process.
   */
  public static long sendPaced(List<DatagramChannel> sockets, InetSocketAddress target, long count, int size,
      int perMillisecond, BooleanSupplier stop) throws IOException {
    ByteBuffer payload = ByteBuffer.allocateDirect(size);
    long sent = 0;
    long tick = System.nanoTime();
    while (sent < count && !stop.getAsBoolean()) {
      for (int i = 0; i < perMillisecond && sent < count; i++) {
        numbered(payload, sent);
        sockets.get((int) (sent % sockets.size())).send(payload, target);
        sent++;
      }
      tick += 1_000_000;
      long wait = tick - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
    return sent;
  }

  private static void numbered(ByteBuffer payload, long number) {
    payload.clear();
    for (int i = 0; i < Math.min(Long.BYTES, payload.capacity()); i++) {
      payload.put(i, (byte) (number >>> (8 * i)));
    }
  }

  /** Sends one datagram with {@code data} from {@code socket}. */
  public static void send(DatagramChannel socket, InetSocketAddress target, byte[] data) throws IOException {
    socket.send(ByteBuffer.wrap(data), target);
  }

  /**
   * Receives one datagram of up to 65535 bytes within {@code timeoutMillis}.
   *
   * @throws SocketTimeoutException when none came
   */
  public static Received receive(DatagramChannel socket, long timeoutMillis) throws IOException {
    boolean blocking = socket.isBlocking();
    socket.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      socket.register(selector, SelectionKey.OP_READ);
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
      ByteBuffer buffer = ByteBuffer.allocate(65_536);
      while (true) {
        SocketAddress sender = socket.receive(buffer);
        if (sender != null) {
          buffer.flip();
          byte[] data = new byte[buffer.remaining()];
          buffer.get(data);
          return new Received(sender, data);
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new SocketTimeoutException("no datagram within " + timeoutMillis + " ms");
        }
        selector.select(left);
        selector.selectedKeys().clear();
      }
    } finally {
      socket.configureBlocking(blocking);
    }
  }
}
