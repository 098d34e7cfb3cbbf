package dev.udplab.client.net;

import dev.udplab.common.net.SocketAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A target {@code HOST:PORT} ({@code [V6]:PORT} for IPv6), resolved once to an IP address: Vert.x resolves the
 * host of every {@code send} call, so sockets must be given {@link #ip()}, never the name. Made by {@link #parse}.
 *
 * @param label   the target as the user wrote it, normalised to {@code host:port} / {@code [v6]:port}: the
 *                {@code target} label of every client meter
 * @param address the address the host resolved to
 * @param ip      the IP literal to pass to Vert.x (no name resolution on the hot path)
 * @param port    the UDP port, 1..65535
 * @param display the label, followed by the resolved address when the user gave a name: for messages to the user
 */
public record HostPort(String label, InetAddress address, String ip, int port, String display) {

  private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private static HostPort of(String label, InetAddress address, int port, boolean literal) {
    String ip = address.getHostAddress();
    return new HostPort(label, address, ip, port, literal ? label : label + " (" + SocketAddresses.format(ip, port)
        + ")");
  }

  /**
   * Parses and resolves {@code host:port} or {@code [v6]:port}.
   *
   * @throws IllegalArgumentException with a message fit for one stderr line
   */
  public static HostPort parse(String text) {
    String value = text == null ? "" : text.trim();
    String host;
    String portText;
    boolean bracketed = value.startsWith("[");
    if (bracketed) {
      int close = value.indexOf(']');
      if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("'" + text + "' is not [IPV6]:PORT (example: [::1]:20001)");
      }
      host = value.substring(1, close);
      portText = value.substring(close + 2);
    } else {
      int colon = value.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("'" + text + "' has no port (expected HOST:PORT, e.g. 127.0.0.1:20001)");
      }
      host = value.substring(0, colon);
      portText = value.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("IPv6 addresses need brackets: [" + host + "]:" + portText);
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' has no host (expected HOST:PORT, e.g. 127.0.0.1:20001)");
    }
    int port = parsePort(portText, text);
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException | SecurityException e) {
      throw new IllegalArgumentException("cannot resolve host '" + host + "' in '" + text + "'");
    }
    // an IPv4-mapped literal ([::ffff:127.0.0.1]) resolves to its IPv4 address: sent over IPv4, like the JDK does
    if ((bracketed || host.indexOf(':') >= 0) && !(address instanceof Inet6Address)
        && !host.toLowerCase(Locale.ROOT).startsWith("::ffff:")) {
      throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
    }
    boolean ipv6Literal = host.indexOf(':') >= 0;
    return of(SocketAddresses.format(host, port), address, port, ipv6Literal || IPV4_LITERAL.matcher(host).matches());
  }

  private static int parsePort(String portText, String text) {
    if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("port '" + portText + "' in '" + text + "' is not a number 1..65535");
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " in '" + text + "' is out of range 1..65535");
    }
    return port;
  }

  /** Whether the target is an IPv6 address. */
  public boolean isIpv6() {
    return address instanceof Inet6Address;
  }

  /**
   * The local address a socket talking to this target binds: the loopback of the same family for a loopback
   * target (nothing else can reach it), the wildcard of the same family otherwise.
   */
  public String bindHost() {
    if (address.isLoopbackAddress()) {
      return isIpv6() ? "::1" : "127.0.0.1";
    }
    return isIpv6() ? "::" : "0.0.0.0";
  }

  /**
   * Whether a datagram's source is this target; {@code senderHostAddress} is in {@link InetAddress#getHostAddress()}
   * form, as Vert.x reports it.
   */
  public boolean isSource(String senderHostAddress, int senderPort) {
    if (senderPort != port) {
      return false;
    }
    // The usual spelling, with an optional scope suffix ("0:0:0:0:0:0:0:1%0"): compared without allocating.
    if (senderHostAddress.startsWith(ip)
        && (senderHostAddress.length() == ip.length() || senderHostAddress.charAt(ip.length()) == '%')) {
      return true;
    }
    // IPv6 has other spellings (::1, mapped forms): compare the address bytes.
    return senderHostAddress.indexOf(':') >= 0 && sameAddress(senderHostAddress);
  }

  /** Whether a datagram from {@code sender} (as Netty reports it) comes from this target. */
  public boolean isSource(InetSocketAddress sender) {
    if (sender.getPort() != port) {
      return false;
    }
    InetAddress from = sender.getAddress();
    // Inet6Address.equals ignores the scope; the byte comparison also matches an IPv4 target seen as ::ffff:a.b.c.d
    return from.equals(address) || isSource(from.getHostAddress(), sender.getPort());
  }

  private boolean sameAddress(String literal) {
    int scope = literal.indexOf('%');
    String bare = scope >= 0 ? literal.substring(0, scope) : literal;
    try {
      // A literal with a colon is parsed, never looked up.
      return Arrays.equals(InetAddress.getByName(bare).getAddress(), address.getAddress());
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The label, as {@code --help} shows a default target. */
  @Override
  public String toString() {
    return label;
  }
}
