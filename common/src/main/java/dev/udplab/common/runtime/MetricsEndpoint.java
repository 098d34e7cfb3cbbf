package dev.udplab.common.runtime;

import dev.udplab.common.net.SocketAddresses;

/**
 * Where a process serves its Prometheus text: the address it bound and the URL a person or Prometheus can use.
 *
 * @param host the bound address as given ({@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1})
 * @param port the bound TCP port
 */
public record MetricsEndpoint(String host, int port) {

  /** {@code http://HOST:PORT/metrics}, an IPv6 host in brackets. */
  public String url() {
    return "http://" + SocketAddresses.format(host, port) + "/metrics";
  }
}
