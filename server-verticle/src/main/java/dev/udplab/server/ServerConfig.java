package dev.udplab.server;

import dev.udplab.common.net.Datagrams;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.server.guard.GuardPolicy;
import dev.udplab.server.guard.GuardSettings;
import dev.udplab.server.guard.SourceRateLimiter;
import dev.udplab.server.mode.ServerMode;
import dev.udplab.server.socket.SocketSettings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * One server process as the command line asked for it, checked once: {@link ServerMain} builds it from its options
 * and {@link ServerRuntime} runs it. The compact constructor is the one validation path; its
 * {@link IllegalArgumentException} names the option and is a usage error (exit 2). Byte sizes and ports arrive already
 * in range (the command line's converters refuse the rest).
 *
 * @param mode               a single-socket mode or {@link ServerMode#ALL}
 * @param host               the address to bind: an IP literal or a name resolved once, by the JDK
 * @param port               the UDP port, 0 for any free port; null for each mode's default port. With
 *                           {@link ServerMode#ALL} only null or 0 (each socket on its own free port)
 * @param message            the greeting mode's text
 * @param receiveBufferBytes the SO_RCVBUF request, or null for the kernel's default
 * @param sendBufferBytes    the SO_SNDBUF request, or null for the kernel's default
 * @param metricsPort        the Prometheus endpoint's TCP port; 0 turns it off
 * @param metricsHost        where the endpoint binds; null on construction picks {@link #defaultMetricsHost}
 * @param instances          sockets per mode on one port (SO_REUSEPORT), one verticle (event loop) each
 * @param transport          the Netty transport to ask for
 * @param quiet              print only the start and stop lines
 * @param guards             how the reply guards are chosen
 * @param rateLimit          replies per second per source, 0 = off; null: as {@code guards} decides
 * @param burst              replies a source may get at once; null: {@value GuardSettings#DEFAULT_BURST_SECONDS}
 *                           seconds of the rate
 * @param maxSources         sources the rate limiter tracks at once
 * @param allowAmplification answer with more bytes than received even on a public bind
 */
public record ServerConfig(ServerMode mode, String host, Integer port, String message, Integer receiveBufferBytes,
                           Integer sendBufferBytes, int metricsPort, String metricsHost, int instances,
                           TransportChoice transport, boolean quiet, GuardPolicy guards, Long rateLimit, Long burst,
                           int maxSources, boolean allowAmplification) {

  /** Where a server binds unless {@code --host} says otherwise: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The greeting unless {@code --message} says otherwise, as in the lab sheet. */
  public static final String DEFAULT_MESSAGE = "Hello UDP Client";
  /** The Prometheus endpoint's port unless {@code --metrics-port} says otherwise. */
  public static final int DEFAULT_METRICS_PORT = 9101;
  /** Largest {@code --instances}. */
  public static final int MAX_INSTANCES = 256;

  public ServerConfig {
    if (mode == null) {
      throw new IllegalArgumentException("a mode is required (echo, uppercase, greeting, sink or all)");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--host must not be empty");
    }
    if (port != null && (port < 0 || port > 65_535)) {
      throw new IllegalArgumentException("--port " + port + " is out of range 0..65535");
    }
    if (mode == ServerMode.ALL && port != null && port != 0) {
      throw new IllegalArgumentException("--port " + port + " cannot be used with mode all: each mode listens on its "
          + "default port (or, with --port 0, each on a free port)");
    }
    if (message == null) {
      throw new IllegalArgumentException("--message must not be missing");
    }
    int messageBytes = message.getBytes(StandardCharsets.UTF_8).length;
    if (messageBytes > Datagrams.MAX_PAYLOAD_BYTES && mode.sockets().contains(ServerMode.GREETING)) {
      throw new IllegalArgumentException("--message is " + messageBytes + " bytes in UTF-8; a greeting must fit one "
          + "datagram, at most " + Datagrams.MAX_PAYLOAD_BYTES + " bytes");
    }
    if (metricsPort < 0 || metricsPort > 65_535) {
      throw new IllegalArgumentException("--metrics-port " + metricsPort + " is out of range 0..65535 (0 turns it off)");
    }
    if (metricsHost != null && metricsHost.isBlank()) {
      throw new IllegalArgumentException("--metrics-host must not be empty");
    }
    metricsHost = metricsHost == null ? defaultMetricsHost(host) : metricsHost;
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new IllegalArgumentException("--instances " + instances + " is out of range 1.." + MAX_INSTANCES);
    }
    if (instances > 1 && port != null && port == 0) {
      throw new IllegalArgumentException("--instances " + instances
          + " needs a fixed --port: with port 0 each socket would get a different free port");
    }
    if (transport == null) {
      throw new IllegalArgumentException("--transport must be auto, epoll or nio");
    }
    if (instances > 1 && transport == TransportChoice.NIO) {
      throw new IllegalArgumentException("--instances " + instances
          + " needs SO_REUSEPORT, which Vert.x applies only with the native epoll transport, not --transport nio");
    }
    if (guards == null) {
      throw new IllegalArgumentException("--guards must be auto, on or off");
    }
    if (rateLimit != null && (rateLimit < 0 || rateLimit > SourceRateLimiter.MAX_RATE)) {
      throw new IllegalArgumentException("--rate-limit " + rateLimit + " is out of range 0.." + SourceRateLimiter.MAX_RATE
          + " datagrams per second per source (0 turns it off)");
    }
    if (burst != null && (burst < 1 || burst > SourceRateLimiter.MAX_BURST)) {
      throw new IllegalArgumentException("--burst " + burst + " is out of range 1.." + SourceRateLimiter.MAX_BURST);
    }
    if (maxSources < 1 || maxSources > SourceRateLimiter.MAX_SOURCES_LIMIT) {
      throw new IllegalArgumentException("--max-sources " + maxSources + " is out of range 1.."
          + SourceRateLimiter.MAX_SOURCES_LIMIT);
    }
  }

  /**
   * Where the metrics endpoint binds unless {@code --metrics-host} says: loopback ({@code 127.0.0.1}, or {@code ::1}
   * when {@code host} is IPv6 loopback) for a loopback {@code host}; otherwise {@code host} itself, so that a server
   * others can reach is monitored the same way (Kubernetes probes, Prometheus on another machine). A name that does
   * not resolve is kept: its bind fails, with one line, before the endpoint's.
   */
  public static String defaultMetricsHost(String host) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return host;
    }
    if (!address.isLoopbackAddress()) {
      return host;
    }
    return address instanceof Inet6Address ? "::1" : "127.0.0.1";
  }

  /** The port a socket of {@code socketMode} binds: {@link #port()} if given, else the mode's default. */
  public int portOf(ServerMode socketMode) {
    return port != null ? port : socketMode.defaultPort();
  }

  /** The socket of {@code socketMode}, one of {@code mode().sockets()}. */
  public SocketSettings socket(ServerMode socketMode) {
    return new SocketSettings(socketMode, host, portOf(socketMode), receiveBufferBytes, sendBufferBytes,
        instances > 1, quiet, message);
  }

  /** The reply guards of each port; resolves {@link #host()} to tell loopback from public. */
  public GuardSettings guardSettings() {
    return GuardSettings.forBind(host, guards, rateLimit, burst, maxSources, allowAmplification);
  }
}
