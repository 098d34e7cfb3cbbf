package dev.udplab.common.runtime;

import dev.udplab.common.net.SocketAddresses;

/**
 * Where a process serves its Prometheus text: the address it bound and the URL a person or Prometheus can use.
 *
 * @param host the bound address as given ({@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1})
 * @param port the bound TCP port
 */
public record MetricsEndpoint(String host, int port) {

  /**
   * {@code http://HOST:PORT/metrics}, an IPv6 host in brackets: a URL to paste. A wildcard bind ({@code 0.0.0.0},
   * {@code ::}) is not an address to connect to, so its URL names loopback of the same family; the endpoint still
   * listens on every interface.
   */
  public String url() {
    return "http://" + SocketAddresses.format(connectHost(), port) + "/metrics";
  }

  /** {@link #host()}, or loopback for a wildcard bind. */
  public String connectHost() {
    switch (host) {
      case "0.0.0.0":
        return "127.0.0.1";
      case "::":
      case "[::]":
      case "0:0:0:0:0:0:0:0":
        return "::1";
      default:
        return host;
    }
  }
}
