package dev.udplab.client;

import io.vertx.core.datagram.DatagramSocketOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;

/**
 * The SO_RCVBUF / SO_SNDBUF a client socket asks for ({@code null} = kernel default) and the options that build
 * such a socket.
 *
 * <p>Vert.x does not expose a socket's granted sizes, so {@link #granted(HostPort)} asks the kernel with a
 * throwaway socket of the same family and the same requests: Linux grants the same way for every socket
 * (doubled, capped by {@code net.core.rmem_max} / {@code wmem_max}).
 *
 * @param receiveBytes requested SO_RCVBUF, or null
 * @param sendBytes requested SO_SNDBUF, or null
 */
public record SocketBuffers(Integer receiveBytes, Integer sendBytes) {

  private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

  /** Sizes the kernel granted. */
  public record Granted(int receiveBytes, int sendBytes) {
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

  /**
   * The sizes the kernel grants a socket of {@code target}'s family for these requests.
   *
   * @throws CommandException with exit code 4 when no socket of that family can be opened
   */
  public Granted granted(HostPort target) {
    StandardProtocolFamily family = target.isIpv6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    try (DatagramChannel probe = DatagramChannel.open(family)) {
      if (receiveBytes != null) {
        probe.setOption(StandardSocketOptions.SO_RCVBUF, receiveBytes);
      }
      if (sendBytes != null) {
        probe.setOption(StandardSocketOptions.SO_SNDBUF, sendBytes);
      }
      // The JDK halves what getsockopt reports on Linux; undo it to show what the kernel granted, as the
      // server and `ss -m` do.
      int factor = LINUX ? 2 : 1;
      return new Granted(factor * probe.getOption(StandardSocketOptions.SO_RCVBUF),
          factor * probe.getOption(StandardSocketOptions.SO_SNDBUF));
    } catch (IOException | UnsupportedOperationException e) {
      // e.g. an IPv6 target on a machine without IPv6: the user's to fix, not a stack trace
      throw CommandException.environment("cannot open a UDP socket for " + target.label() + " ("
          + (target.isIpv6() ? "IPv6" : "IPv4") + "): " + e.getMessage());
    }
  }
}
