package dev.udplab.client.net;

import dev.udplab.common.net.DatagramChannels;
import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A flood socket connected to its target and written to directly, without Netty's outbound buffer: one
 * {@code send(2)} of a reused direct buffer per write, so nothing is allocated per datagram (a Netty write makes a
 * {@code DatagramPacket}, a promise, and on an unconnected socket copies the address bytes every time). Connected,
 * the kernel keeps the route instead of looking it up per datagram, reports the path MTU ({@code IP_MTU}), and
 * filters datagrams from anyone but the target, as the C reference generator does. Netty still reads the replies
 * ({@code recvmmsg} on epoll). Call everything on the channel's event loop.
 *
 * <p>A connected UDP socket reports an ICMP error (port unreachable) for an earlier datagram as the failure of the
 * next send; {@link #send} returns what the kernel said, and the caller decides (the flood sends the datagram once
 * more, as an unconnected socket would never have failed it).
 */
public final class ConnectedSocket {

  private static final IntegerUnixChannelOption IP_MTU = new IntegerUnixChannelOption("IP_MTU", 0, 14);
  private static final IntegerUnixChannelOption IPV6_MTU = new IntegerUnixChannelOption("IPV6_MTU", 41, 24);
  private static final IntegerUnixChannelOption UDP_SEGMENT = new IntegerUnixChannelOption("UDP_SEGMENT", 17, 103);

  private final DatagramChannel channel;
  private final Socket nativeSocket;
  private final java.nio.channels.DatagramChannel javaChannel;

  private ConnectedSocket(DatagramChannel channel, Socket nativeSocket, java.nio.channels.DatagramChannel javaChannel) {
    this.channel = channel;
    this.nativeSocket = nativeSocket;
    this.javaChannel = javaChannel;
  }

  /**
   * Connects {@code channel} (bound, registered) to {@code target}.
   *
   * @return the connected socket, or a failed future saying why
   */
  public static Future<ConnectedSocket> connect(DatagramChannel channel, InetSocketAddress target) {
    Promise<ConnectedSocket> connected = Promise.promise();
    channel.connect(target).addListener(done -> {
      if (!done.isSuccess()) {
        connected.fail(done.cause());
        return;
      }
      try {
        connected.complete(of(channel));
      } catch (IOException | RuntimeException e) {
        connected.fail(e);
      }
    });
    return connected.future();
  }

  private static ConnectedSocket of(DatagramChannel channel) throws IOException {
    if (channel instanceof UnixChannel) {
      FileDescriptor fd = ((UnixChannel) channel).fd();
      if (fd instanceof Socket) {
        return new ConnectedSocket(channel, (Socket) fd, null);
      }
    }
    return new ConnectedSocket(channel, null, DatagramChannels.javaChannelOf(channel));
  }

  /** Whether this socket is on the native transport, where {@link #segmentSize} works. */
  public boolean isNative() {
    return nativeSocket != null;
  }

  /**
   * The path MTU the kernel knows for the connected route ({@code IP_MTU}, {@code IPV6_MTU}), or -1 where it does not
   * say (NIO, not Linux).
   */
  public int pathMtu() {
    if (nativeSocket == null) {
      return -1;
    }
    for (IntegerUnixChannelOption option : new IntegerUnixChannelOption[] {IP_MTU, IPV6_MTU}) {
      try {
        Integer mtu = channel.config().getOption(option);
        if (mtu != null && mtu > 0) {
          return mtu;
        }
      } catch (RuntimeException e) {
        // the other family's option: try the next
      }
    }
    return -1;
  }

  /**
   * Makes every later send of more than {@code bytes} bytes leave as datagrams of {@code bytes} each, cut by the
   * kernel (the socket-wide form of UDP_SEGMENT); native transport only.
   *
   * @throws IllegalStateException when the kernel refuses it
   */
  public void segmentSize(int bytes) {
    if (nativeSocket == null || !channel.config().setOption(UDP_SEGMENT, bytes)) {
      throw new IllegalStateException("the kernel refused UDP_SEGMENT " + bytes);
    }
  }

  /**
   * Sends the first {@code length} bytes of {@code content} (a direct buffer, written by the caller) as one write.
   *
   * @return bytes the kernel took, 0 when the socket's send buffer had no room
   * @throws IOException what the kernel said: for a connected socket, ECONNREFUSED means an earlier datagram met
   *                     no listener
   */
  public int send(ByteBuf content, int length) throws IOException {
    if (nativeSocket != null && content.hasMemoryAddress()) {
      return nativeSocket.sendAddress(content.memoryAddress(), 0, length);
    }
    ByteBuffer buffer = content.internalNioBuffer(0, length);
    return nativeSocket != null ? nativeSocket.send(buffer, buffer.position(), buffer.limit())
        : javaChannel.write(buffer);
  }
}
