package dev.udplab.client.net;

import dev.udplab.common.net.SocketAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code --bind ADDR[:PORT]}: the source address of a flood's sockets (iperf3's {@code -B}, nc's {@code -s}/{@code
 * -p}). With a port and {@code --sockets K}, socket {@code i} binds {@code PORT + i}: K sockets cannot share one
 * port (the flood never sets SO_REUSEPORT), and consecutive ports keep each flow recognisable at the server.
 *
 * @param label   as given, normalised ({@code 127.0.0.2}, {@code 127.0.0.2:40000}, {@code [::1]:40000})
 * @param address the address, resolved once
 * @param port    the first socket's port, 0 = any free port
 */
public record BindAddress(String label, InetAddress address, int port) {

  /**
   * Parses {@code ADDR}, {@code ADDR:PORT}, {@code [V6]:PORT} or a bare IPv6 address.
   *
   * @throws IllegalArgumentException with a message fit for one usage line
   */
  public static BindAddress parse(String text) {
    String value = text == null ? "" : text.trim();
    String host = value;
    String portText = null;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0 || (close + 1 < value.length() && value.charAt(close + 1) != ':')) {
        throw new IllegalArgumentException("--bind '" + text + "' is not ADDRESS[:PORT] (examples: 127.0.0.2, "
            + "127.0.0.2:40000, [::1]:40000)");
      }
      host = value.substring(1, close);
      portText = close + 1 < value.length() ? value.substring(close + 2) : null;
    } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
      host = value.substring(0, value.indexOf(':'));
      portText = value.substring(value.indexOf(':') + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("--bind '" + text + "' has no address (examples: 127.0.0.2, "
          + "127.0.0.2:40000, [::1]:40000)");
    }
    int port = 0;
    if (portText != null) {
      if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)
          || Integer.parseInt(portText) > 65535) {
        throw new IllegalArgumentException("--bind '" + text + "': the port must be a number 0..65535");
      }
      port = Integer.parseInt(portText);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException | SecurityException e) {
      throw new IllegalArgumentException("--bind: cannot resolve '" + host + "'");
    }
    String shown = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return new BindAddress(port == 0 && portText == null ? shown : SocketAddresses.format(host, port), address,
        port);
  }

  /** Whether the address is IPv6 (the target must be too). */
  public boolean isIpv6() {
    return address instanceof Inet6Address;
  }

  /** The address as Vert.x binds it. */
  public String host() {
    return address.getHostAddress();
  }

  /** The port socket {@code index} binds: 0 (any) without a port, otherwise {@code port + index}. */
  public int portOf(int index) {
    return port == 0 ? 0 : port + index;
  }

  @Override
  public String toString() {
    return label;
  }
}
