package dev.udplab.common.net;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Addresses as people write them: {@code 127.0.0.1:20001}, {@code [::1]:20001}, never {@code 0:0:0:0:0:0:0:1%0}. */
public final class SocketAddresses {

  private SocketAddresses() {
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  public static String format(String host, int port) {
    return bracketed(host) + ":" + port;
  }

  /** {@code address:port} with the address as {@link #hostText(InetAddress)}. */
  public static String format(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    return format(ip == null ? address.getHostString() : hostText(ip), address.getPort());
  }

  /** An IPv6 host in brackets ({@code [::1]}), anything else unchanged: the host part of a URL or a target. */
  public static String bracketed(String host) {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  /** The IP as text: IPv6 compressed ({@code ::1}) with a non-zero scope kept ({@code fe80::1%eth0}). */
  public static String hostText(InetAddress address) {
    if (address instanceof Inet6Address) {
      Inet6Address v6 = (Inet6Address) address;
      String text = NetUtil.toAddressString(v6);
      if (v6.getScopedInterface() != null) {
        return text + "%" + v6.getScopedInterface().getName();
      }
      return v6.getScopeId() != 0 ? text + "%" + v6.getScopeId() : text;
    }
    return address.getHostAddress();
  }

  /**
   * An IP literal as people write it: IPv6 compressed and without the zero scope Java appends ({@code %0});
   * IPv4 and anything that does not parse, unchanged.
   */
  public static String displayHost(String host) {
    if (host.indexOf(':') < 0) {
      return host;
    }
    String literal = host.endsWith("%0") ? host.substring(0, host.length() - 2) : host;
    int scope = literal.indexOf('%');
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(scope < 0 ? literal : literal.substring(0, scope));
    if (bytes == null || bytes.length != 16) {
      return host;
    }
    return NetUtil.bytesToIpAddress(bytes) + (scope < 0 ? "" : literal.substring(scope));
  }
}
