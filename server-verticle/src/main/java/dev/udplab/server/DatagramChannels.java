package dev.udplab.server;

import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.vertx.core.datagram.DatagramSocket;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Reaches the Netty channel under a Vert.x {@link DatagramSocket}, which the public API does not expose,
 * to do three things that API cannot: receive datagrams of every size without tying the read buffer to
 * SO_RCVBUF, read back the buffer sizes the kernel granted, and send zero-length datagrams.
 *
 * <p>Why: Netty's datagram channels read into a {@code FixedRecvByteBufAllocator(2048)}, so longer datagrams
 * are cut silently. Vert.x's only knob, {@code DatagramSocketOptions.setReceiveBufferSize(n)}, sets both
 * SO_RCVBUF=n and a fixed allocator of n bytes ({@code Transport.configure(DatagramChannel, ...)} in 5.0.12),
 * so {@code --rcvbuf 4194304} would allocate 4 MiB per read and {@code --rcvbuf 8192} would cut datagrams.
 * We let Vert.x set SO_RCVBUF as asked, then replace the allocator with one of {@link #READ_BUFFER_BYTES},
 * the largest UDP payload rounded up. The lookup is a reflective read of {@code DatagramSocketImpl.channel};
 * a Vert.x upgrade that renames it fails every socket at start, and the 65507-byte test catches it.
 */
final class DatagramChannels {
  /** Bytes each read may fill: the largest UDP payload over IPv4 (65507) rounded up to 64 KiB. */
  static final int READ_BUFFER_BYTES = 65536;
  /** Datagrams read per readiness event: the C reference echo's recvmmsg batch. */
  static final int MESSAGES_PER_READ = 64;
  /**
   * Datagrams one {@code recvmmsg} call may take on the epoll transport, each into its own 64 KiB slice of one
   * pooled buffer (so every datagram still arrives whole); {@code -Dudplab.recvmmsg=1} reads one per call.
   * 16 cut the server's CPU per echo by about 12 % and raised its peak RSS by about 20 MB (1 MiB read buffers).
   */
  static final int RECVMMSG_DATAGRAMS = Math.max(1, Integer.getInteger("udplab.recvmmsg", 16));
  private static final ByteBuffer EMPTY_DIRECT = ByteBuffer.allocateDirect(0);
  private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");

  private DatagramChannels() {
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

  /**
   * Makes every read take a whole datagram of up to 65507 bytes, and up to {@link #MESSAGES_PER_READ} datagrams
   * per readiness event instead of Vert.x's one (which left a flooded socket's queue to the next wakeup).
   */
  static void receiveWholeDatagrams(DatagramChannel channel) {
    // With a payload size set, Netty's epoll reads floor(buffer / size) datagrams per recvmmsg into slices.
    if (channel instanceof EpollDatagramChannel && RECVMMSG_DATAGRAMS > 1) {
      FixedRecvByteBufAllocator allocator = new FixedRecvByteBufAllocator(RECVMMSG_DATAGRAMS * READ_BUFFER_BYTES);
      allocator.maxMessagesPerRead(MESSAGES_PER_READ);
      channel.config().setRecvByteBufAllocator(allocator);
      channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, READ_BUFFER_BYTES);
      return;
    }
    FixedRecvByteBufAllocator allocator = new FixedRecvByteBufAllocator(READ_BUFFER_BYTES);
    allocator.maxMessagesPerRead(MESSAGES_PER_READ);
    channel.config().setRecvByteBufAllocator(allocator);
  }

  /** SO_RCVBUF as the kernel granted it (Linux: double the request, capped at net.core.rmem_max). */
  static int grantedReceiveBuffer(DatagramChannel channel) {
    return undoJdkHalving(channel, channel.config().getReceiveBufferSize());
  }

  /** SO_SNDBUF as the kernel granted it (Linux: double the request, capped at net.core.wmem_max). */
  static int grantedSendBuffer(DatagramChannel channel) {
    return undoJdkHalving(channel, channel.config().getSendBufferSize());
  }

  /**
   * Native epoll reads getsockopt as is. On NIO the JDK halves SO_RCVBUF/SO_SNDBUF on Linux so that they
   * read back as set (NET_GetSockOpt in libnet); double them again to report what the kernel granted.
   */
  private static int undoJdkHalving(DatagramChannel channel, int reported) {
    return channel instanceof UnixChannel || !LINUX ? reported : reported * 2;
  }

  /**
   * Sends a zero-length datagram from the channel's own socket. Netty's {@code doWriteMessage} (epoll and NIO,
   * 4.2.13) treats an empty buffer as already written and sends nothing, so an empty echo would be lost while
   * reported as sent. Call on the channel's event loop.
   */
  static void sendEmpty(DatagramChannel channel, InetSocketAddress recipient) throws IOException {
    if (channel instanceof UnixChannel) {
      FileDescriptor fd = ((UnixChannel) channel).fd();
      if (fd instanceof Socket) {
        ((Socket) fd).sendTo(EMPTY_DIRECT.duplicate(), 0, 0, recipient.getAddress(), recipient.getPort());
        return;
      }
    }
    javaChannelOf(channel).send(ByteBuffer.allocate(0), recipient);
  }

  private static java.nio.channels.DatagramChannel javaChannelOf(DatagramChannel channel) throws IOException {
    try {
      Method javaChannel = io.netty.channel.nio.AbstractNioChannel.class.getDeclaredMethod("javaChannel");
      javaChannel.setAccessible(true);
      return (java.nio.channels.DatagramChannel) javaChannel.invoke(channel);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("cannot send a zero-length datagram on " + channel.getClass().getName(), e);
    }
  }
}
