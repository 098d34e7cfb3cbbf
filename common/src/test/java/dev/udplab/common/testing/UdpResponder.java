package dev.udplab.common.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A test UDP server on one blocking JDK socket and one daemon thread: each datagram goes to a responder, whose
 * answer (null: none) goes back to the sender from the same socket. {@link #echo()} is the echo fixture. No Vert.x,
 * so it never shares an event loop with the code under test. Close it to stop the thread.
 */
public final class UdpResponder implements AutoCloseable {

  private final DatagramChannel socket;
  private final Thread thread;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();

  private UdpResponder(DatagramChannel socket, UnaryOperator<byte[]> responder) {
    this.socket = socket;
    this.thread = new Thread(() -> serve(responder), "udp-responder-" + port());
    thread.setDaemon(true);
    thread.start();
  }

  /** A responder on an ephemeral port of {@code host}. */
  public static UdpResponder start(String host, UnaryOperator<byte[]> responder) throws IOException {
    return new UdpResponder(UdpPeers.socket(host), responder);
  }

  /** Sends every datagram back unchanged. */
  public static UnaryOperator<byte[]> echo() {
    return data -> data;
  }

  /** Answers nothing (a sink). */
  public static UnaryOperator<byte[]> silent() {
    return data -> null;
  }

  /** Answers every datagram with {@code text} in UTF-8 (a greeting server). */
  public static UnaryOperator<byte[]> fixed(String text) {
    byte[] reply = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return data -> reply;
  }

  private void serve(UnaryOperator<byte[]> responder) {
    ByteBuffer buffer = ByteBuffer.allocate(65_536);
    try {
      while (true) {
        buffer.clear();
        SocketAddress sender = socket.receive(buffer);
        received.incrementAndGet();
        buffer.flip();
        byte[] data = new byte[buffer.remaining()];
        buffer.get(data);
        byte[] reply = responder.apply(data);
        if (reply != null) {
          socket.send(ByteBuffer.wrap(reply), sender);
          answered.incrementAndGet();
        }
      }
    } catch (ClosedChannelException closed) {
      // stopped
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The bound port. */
  public int port() {
    try {
      return ((InetSocketAddress) socket.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code host:port} of this responder for a {@code --to} option, IPv6 in brackets. */
  public String target() {
    try {
      InetSocketAddress local = (InetSocketAddress) socket.getLocalAddress();
      String host = local.getAddress().getHostAddress();
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + local.getPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public long received() {
    return received.get();
  }

  public long answered() {
    return answered.get();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
