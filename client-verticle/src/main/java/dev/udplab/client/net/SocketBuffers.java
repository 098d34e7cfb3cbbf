package dev.udplab.client.net;

import dev.udplab.common.cli.SocketBufferOptions;
import dev.udplab.common.net.DatagramChannels;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.datagram.DatagramSocketOptions;

/**
 * The SO_RCVBUF / SO_SNDBUF a client socket asks for ({@code null} = kernel default), the options that build such a
 * socket, and what the kernel granted, read back from the bound socket itself.
 *
 * @param receiveBytes requested SO_RCVBUF, or null
 * @param sendBytes requested SO_SNDBUF, or null
 */
public record SocketBuffers(Integer receiveBytes, Integer sendBytes) {

  /** No requests: the kernel's defaults (net.core.rmem_default / wmem_default). */
  public static final SocketBuffers KERNEL_DEFAULTS = new SocketBuffers(null, null);

  private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

  /** Sizes the kernel granted. */
  public record Granted(int receiveBytes, int sendBytes) {

    /** What the kernel granted the socket under {@code channel} (Linux: double the request, capped). */
    public static Granted of(DatagramChannel channel) {
      return new Granted(DatagramChannels.grantedReceiveBuffer(channel), DatagramChannels.grantedSendBuffer(channel));
    }
  }

  /** {@code --rcvbuf} and {@code --sndbuf} as given. */
  public static SocketBuffers of(SocketBufferOptions options) {
    return new SocketBuffers(options.receiveBytes(), options.sendBytes());
  }

  /**
   * Options for a client socket talking to {@code target}: explicit {@code reuseAddress=false} (see the guide),
   * IPv6 when the target is, and the requested sizes. Vert.x also sizes its read buffer to SO_RCVBUF;
   * {@link ClientSockets#create} replaces that with 64 KiB buffers.
   */
  public DatagramSocketOptions socketOptions(HostPort target) {
    DatagramSocketOptions options = new DatagramSocketOptions()
        .setReuseAddress(false)
        .setReusePort(false)
        .setIpV6(target.isIpv6());
    if (receiveBytes != null) {
      options.setReceiveBufferSize(receiveBytes);
    }
    if (sendBytes != null) {
      options.setSendBufferSize(sendBytes);
    }
    return options;
  }

  /**
   * A line for the user when the kernel granted less than these requests (Linux caps them at
   * {@code net.core.rmem_max} / {@code wmem_max} before doubling), or null when it granted them in full.
   */
  public String shortfall(Granted granted) {
    String receive = shortfall("--rcvbuf", receiveBytes, granted.receiveBytes(), "net.core.rmem_max");
    String send = shortfall("--sndbuf", sendBytes, granted.sendBytes(), "net.core.wmem_max");
    return receive == null ? send : send == null ? receive : receive + "; " + send;
  }

  static String shortfall(String option, Integer requested, int granted, String sysctl) {
    if (requested == null || granted >= (LINUX ? 2L : 1L) * requested) {
      return null;
    }
    return option + " " + requested + " was capped: the kernel granted " + granted + " (raise " + sysctl
        + " to get more)";
  }
}
