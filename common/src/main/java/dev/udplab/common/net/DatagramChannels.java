package dev.udplab.common.net;

import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.MetricsProvider;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The Netty channel under a Vert.x {@link DatagramSocket}, which the public API does not expose, and what udplab
 * does with it that the API cannot: read whole datagrams of every size in batches without tying the read buffer
 * to SO_RCVBUF, read back the buffer sizes the kernel granted, and send zero-length datagrams.
 *
 * <p>Why: Netty's datagram channels read into a {@code FixedRecvByteBufAllocator(2048)}, so longer datagrams are
 * cut silently, and Vert.x reads one datagram per readiness event. Vert.x's only knob,
 * {@code DatagramSocketOptions.setReceiveBufferSize(n)}, sets both SO_RCVBUF=n and a fixed allocator of n bytes
 * ({@code Transport.configure(DatagramChannel, ...)} in 5.0.12), so a 4 MiB SO_RCVBUF would allocate 4 MiB per read
 * and a small one would cut datagrams. The channel is a private field of Vert.x's {@code DatagramSocketImpl},
 * looked up once here; a Vert.x upgrade that renames it fails every socket at start with one clear message, and
 * the 65507-byte tests catch it.
 */
public final class DatagramChannels {

  private static final Field CHANNEL_FIELD = channelField();
  private static final ByteBuffer EMPTY_DIRECT = ByteBuffer.allocateDirect(0);
  private static final boolean LINUX =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");

  private DatagramChannels() {
  }

  private static Field channelField() {
    try {
      Class<?> impl = Class.forName("io.vertx.core.datagram.impl.DatagramSocketImpl");
      Field field = impl.getDeclaredField("channel");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The Netty channel of a socket made by {@code vertx.createDatagramSocket}.
   *
   * @throws IllegalStateException when this Vert.x keeps it elsewhere (an unsupported Vert.x version)
   */
  public static DatagramChannel channelOf(DatagramSocket socket) {
    try {
      if (CHANNEL_FIELD == null || !CHANNEL_FIELD.getDeclaringClass().isInstance(socket)) {
        throw new IllegalStateException("no channel field");
      }
      return (DatagramChannel) CHANNEL_FIELD.get(socket);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot reach the Netty channel of " + socket.getClass().getName()
          + "; this Vert.x version is not supported", e);
    }
  }

  /**
   * Makes every read take a whole datagram of up to {@link Datagrams#MAX_PAYLOAD_BYTES}, up to
   * {@link Datagrams#MESSAGES_PER_READ} per readiness event, and on epoll up to {@link Datagrams#RECVMMSG_DATAGRAMS}
   * per {@code recvmmsg} call (each into its own 64 KiB slice of one pooled buffer).
   */
  public static void readWholeDatagramsInBatches(DatagramChannel channel) {
    boolean recvmmsg = channel instanceof EpollDatagramChannel && Datagrams.RECVMMSG_DATAGRAMS > 1;
    int bufferBytes = recvmmsg ? Datagrams.RECVMMSG_DATAGRAMS * Datagrams.READ_BUFFER_BYTES : Datagrams.READ_BUFFER_BYTES;
    channel.config().setRecvByteBufAllocator(
        new FixedRecvByteBufAllocator(bufferBytes).maxMessagesPerRead(Datagrams.MESSAGES_PER_READ));
    if (recvmmsg) {
      // With a payload size set, Netty's epoll reads floor(buffer / size) datagrams per recvmmsg into slices.
      channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, Datagrams.READ_BUFFER_BYTES);
    }
  }

  /** SO_RCVBUF as the kernel granted it (Linux: double the request, capped at net.core.rmem_max). */
  public static int grantedReceiveBuffer(DatagramChannel channel) {
    return undoJdkHalving(channel, channel.config().getReceiveBufferSize());
  }

  /** SO_SNDBUF as the kernel granted it (Linux: double the request, capped at net.core.wmem_max). */
  public static int grantedSendBuffer(DatagramChannel channel) {
    return undoJdkHalving(channel, channel.config().getSendBufferSize());
  }

  /**
   * Native transports read getsockopt as is. On NIO the JDK halves SO_RCVBUF/SO_SNDBUF on Linux so that they read
   * back as set (NET_GetSockOpt in libnet); double them again to report what the kernel granted, as {@code ss -m} does.
   */
  private static int undoJdkHalving(DatagramChannel channel, int reported) {
    return channel instanceof UnixChannel || !LINUX ? reported : reported * 2;
  }

  /**
   * Whether {@code channel} can send a {@link io.netty.channel.unix.SegmentedDatagramPacket} (UDP GSO): the epoll
   * transport on a kernel with {@code UDP_SEGMENT} (Linux 4.18+).
   */
  public static boolean segmentedWritesSupported(DatagramChannel channel) {
    return channel instanceof EpollDatagramChannel && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
  }

  /** Vert.x's own meters of {@code socket} ({@code vertx_datagram_*}), or null when Vert.x metrics are off. */
  public static DatagramSocketMetrics vertxMetricsOf(DatagramSocket socket) {
    Object provided = socket instanceof MetricsProvider ? ((MetricsProvider) socket).getMetrics() : null;
    return provided instanceof DatagramSocketMetrics ? (DatagramSocketMetrics) provided : null;
  }

  /**
   * Sends a zero-length datagram from the channel's own socket. Netty's {@code doWriteMessage} (epoll and NIO,
   * 4.2.13) treats an empty buffer as already written and sends nothing, so an empty datagram would be lost while
   * reported as sent. Call on the channel's event loop, after flushing what is queued (to keep the order).
   */
  public static void sendEmpty(DatagramChannel channel, InetSocketAddress recipient) throws IOException {
    if (channel instanceof UnixChannel) {
      FileDescriptor fd = ((UnixChannel) channel).fd();
      if (fd instanceof Socket) {
        ((Socket) fd).sendTo(EMPTY_DIRECT.duplicate(), 0, 0, recipient.getAddress(), recipient.getPort());
        return;
      }
    }
    javaChannelOf(channel).send(ByteBuffer.allocate(0), recipient);
  }

  /**
   * The JDK channel under a Netty NIO datagram channel (Netty keeps it behind a protected method), for writing to it
   * directly.
   *
   * @throws IOException when {@code channel} is not Netty's NIO channel
   */
  public static java.nio.channels.DatagramChannel javaChannelOf(DatagramChannel channel) throws IOException {
    try {
      Method javaChannel = io.netty.channel.nio.AbstractNioChannel.class.getDeclaredMethod("javaChannel");
      javaChannel.setAccessible(true);
      return (java.nio.channels.DatagramChannel) javaChannel.invoke(channel);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("cannot send a zero-length datagram on " + channel.getClass().getName(), e);
    }
  }
}
