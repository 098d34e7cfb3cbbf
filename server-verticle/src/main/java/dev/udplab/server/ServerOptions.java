package dev.udplab.server;

import io.vertx.core.json.JsonObject;

/**
 * Options of one udplab server process: which mode, where it listens, socket buffer requests, metrics
 * endpoint, instance count, console verbosity. The Vert.x data-object shape: {@code DEFAULT_*} constants,
 * no-arg, copy and {@link JsonObject} constructors, {@link #toJson()}, fluent setters, and one
 * validation path, {@link #validate()}.
 */
public class ServerOptions {

  /** Default mode: {@link Mode#ECHO}. */
  public static final Mode DEFAULT_MODE = Mode.ECHO;
  /** Default address to bind: loopback only, {@code 127.0.0.1}. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default port: {@code -1}, meaning the mode's own default port ({@link Mode#defaultPort()}). */
  public static final int DEFAULT_PORT = -1;
  /** Default greeting text: {@code Hello UDP Client}, as in the lab sheet. */
  public static final String DEFAULT_MESSAGE = "Hello UDP Client";
  /** Default SO_RCVBUF request: {@code -1}, leave the kernel default. */
  public static final int DEFAULT_RECEIVE_BUFFER_SIZE = -1;
  /** Default SO_SNDBUF request: {@code -1}, leave the kernel default. */
  public static final int DEFAULT_SEND_BUFFER_SIZE = -1;
  /** Default metrics HTTP port: {@code 9101}; {@code 0} turns the endpoint off. */
  public static final int DEFAULT_METRICS_PORT = 9101;
  /** Default number of sockets per mode: {@code 1}; more need SO_REUSEPORT (native epoll). */
  public static final int DEFAULT_INSTANCES = 1;
  /** Default console verbosity: {@code false}, print sampled datagrams. */
  public static final boolean DEFAULT_QUIET = false;
  /** Default transport choice: {@link TransportChoice#AUTO}, native epoll when available, else NIO. */
  public static final TransportChoice DEFAULT_TRANSPORT = TransportChoice.AUTO;

  /** Default guard choice: {@link GuardSettings.Mode#AUTO}, the public policy on any non-loopback bind. */
  public static final GuardSettings.Mode DEFAULT_GUARDS = GuardSettings.Mode.AUTO;
  /** Default per-source rate limit: {@code -1}, chosen by the guards (1000/s on a public bind, off on loopback). */
  public static final long DEFAULT_RATE_LIMIT = -1;
  /** Default per-source burst: {@code -1}, two seconds' worth of the rate limit. */
  public static final long DEFAULT_BURST = -1;
  /** Default number of sources the rate limiter tracks: {@value GuardSettings#DEFAULT_MAX_SOURCES}. */
  public static final int DEFAULT_MAX_SOURCES = GuardSettings.DEFAULT_MAX_SOURCES;
  /** Default amplification choice: {@code false}, a public bind never answers with more bytes than it got. */
  public static final boolean DEFAULT_ALLOW_AMPLIFICATION = false;

  /** Largest socket buffer request accepted: 1 GiB (Linux caps it at net.core.[rw]mem_max anyway). */
  public static final int MAX_BUFFER_SIZE = 1 << 30;
  /** Largest instance count accepted. */
  public static final int MAX_INSTANCES = 256;

  /** Which Netty transport the process uses. */
  public enum TransportChoice { AUTO, EPOLL, NIO }

  private Mode mode;
  private String host;
  private int port;
  private String message;
  private int receiveBufferSize;
  private int sendBufferSize;
  private int metricsPort;
  private int instances;
  private boolean quiet;
  private TransportChoice transport;
  private GuardSettings.Mode guards;
  private long rateLimit;
  private long burst;
  private int maxSources;
  private boolean allowAmplification;

  public ServerOptions() {
    mode = DEFAULT_MODE;
    host = DEFAULT_HOST;
    port = DEFAULT_PORT;
    message = DEFAULT_MESSAGE;
    receiveBufferSize = DEFAULT_RECEIVE_BUFFER_SIZE;
    sendBufferSize = DEFAULT_SEND_BUFFER_SIZE;
    metricsPort = DEFAULT_METRICS_PORT;
    instances = DEFAULT_INSTANCES;
    quiet = DEFAULT_QUIET;
    transport = DEFAULT_TRANSPORT;
    guards = DEFAULT_GUARDS;
    rateLimit = DEFAULT_RATE_LIMIT;
    burst = DEFAULT_BURST;
    maxSources = DEFAULT_MAX_SOURCES;
    allowAmplification = DEFAULT_ALLOW_AMPLIFICATION;
  }

  public ServerOptions(ServerOptions other) {
    mode = other.mode;
    host = other.host;
    port = other.port;
    message = other.message;
    receiveBufferSize = other.receiveBufferSize;
    sendBufferSize = other.sendBufferSize;
    metricsPort = other.metricsPort;
    instances = other.instances;
    quiet = other.quiet;
    transport = other.transport;
    guards = other.guards;
    rateLimit = other.rateLimit;
    burst = other.burst;
    maxSources = other.maxSources;
    allowAmplification = other.allowAmplification;
  }

  public ServerOptions(JsonObject json) {
    this();
    if (json.containsKey("mode")) {
      mode = Mode.parse(json.getString("mode"));
    }
    host = json.getString("host", host);
    port = json.getInteger("port", port);
    message = json.getString("message", message);
    receiveBufferSize = json.getInteger("receiveBufferSize", receiveBufferSize);
    sendBufferSize = json.getInteger("sendBufferSize", sendBufferSize);
    metricsPort = json.getInteger("metricsPort", metricsPort);
    instances = json.getInteger("instances", instances);
    quiet = json.getBoolean("quiet", quiet);
    if (json.containsKey("transport")) {
      transport = TransportChoice.valueOf(json.getString("transport").toUpperCase(java.util.Locale.ROOT));
    }
    if (json.containsKey("guards")) {
      guards = GuardSettings.Mode.parse(json.getString("guards"));
    }
    rateLimit = json.getLong("rateLimit", rateLimit);
    burst = json.getLong("burst", burst);
    maxSources = json.getInteger("maxSources", maxSources);
    allowAmplification = json.getBoolean("allowAmplification", allowAmplification);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("mode", mode.label())
        .put("host", host)
        .put("port", port)
        .put("message", message)
        .put("receiveBufferSize", receiveBufferSize)
        .put("sendBufferSize", sendBufferSize)
        .put("metricsPort", metricsPort)
        .put("instances", instances)
        .put("quiet", quiet)
        .put("transport", transport.name().toLowerCase(java.util.Locale.ROOT))
        .put("guards", guards.name().toLowerCase(java.util.Locale.ROOT))
        .put("rateLimit", rateLimit)
        .put("burst", burst)
        .put("maxSources", maxSources)
        .put("allowAmplification", allowAmplification);
  }

  /**
   * Checks every option and their combinations.
   *
   * @return this, for chaining
   * @throws IllegalArgumentException with a one-line message naming the bad option and value
   */
  public ServerOptions validate() {
    if (mode == null) {
      throw new IllegalArgumentException("a mode is required (echo, uppercase, greeting, sink or all)");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--host must not be empty");
    }
    if (port != DEFAULT_PORT && (port < 0 || port > 65535)) {
      throw new IllegalArgumentException("--port " + port + " is out of range 0..65535");
    }
    if (mode == Mode.ALL && port != DEFAULT_PORT && port != 0) {
      throw new IllegalArgumentException("--port " + port + " cannot be used with mode all: each mode listens on its "
          + "default port (or, with --port 0, each on a free port)");
    }
    if (message == null) {
      throw new IllegalArgumentException("--message must not be missing");
    }
    checkBufferSize("--rcvbuf", receiveBufferSize);
    checkBufferSize("--sndbuf", sendBufferSize);
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("--metrics-port " + metricsPort + " is out of range 0..65535 (0 turns it off)");
    }
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new IllegalArgumentException("--instances " + instances + " is out of range 1.." + MAX_INSTANCES);
    }
    if (instances > 1 && resolvedPort(mode == Mode.ALL ? Mode.ECHO : mode) == 0) {
      throw new IllegalArgumentException("--instances " + instances
          + " needs a fixed --port: with port 0 each socket would get a different free port");
    }
    if (instances > 1 && transport == TransportChoice.NIO) {
      throw new IllegalArgumentException("--instances " + instances
          + " needs SO_REUSEPORT, which Vert.x applies only with the native epoll transport, not --transport nio");
    }
    if (transport == null) {
      throw new IllegalArgumentException("--transport must be auto, epoll or nio");
    }
    if (guards == null) {
      throw new IllegalArgumentException("--guards must be auto, on or off");
    }
    if (rateLimit != DEFAULT_RATE_LIMIT && (rateLimit < 0 || rateLimit > SourceRateLimiter.MAX_RATE)) {
      throw new IllegalArgumentException("--rate-limit " + rateLimit + " is out of range 0.." + SourceRateLimiter.MAX_RATE
          + " datagrams per second per source (0 turns it off)");
    }
    if (burst != DEFAULT_BURST && (burst < 1 || burst > SourceRateLimiter.MAX_BURST)) {
      throw new IllegalArgumentException("--burst " + burst + " is out of range 1.." + SourceRateLimiter.MAX_BURST);
    }
    if (maxSources < 1 || maxSources > SourceRateLimiter.MAX_SOURCES_LIMIT) {
      throw new IllegalArgumentException("--max-sources " + maxSources + " is out of range 1.."
          + SourceRateLimiter.MAX_SOURCES_LIMIT);
    }
    return this;
  }

  private static void checkBufferSize(String flag, int size) {
    if (size != -1 && (size < 1 || size > MAX_BUFFER_SIZE)) {
      throw new IllegalArgumentException(flag + " " + size + " is out of range 1.." + MAX_BUFFER_SIZE + " bytes");
    }
  }

  /** The port a socket of {@code socketMode} binds: {@link #getPort()} if set, else the mode's default. */
  public int resolvedPort(Mode socketMode) {
    return port == DEFAULT_PORT ? socketMode.defaultPort() : port;
  }

  public Mode getMode() {
    return mode;
  }

  /** The mode: one of the four single-socket modes, or {@link Mode#ALL}. */
  public ServerOptions setMode(Mode mode) {
    this.mode = mode;
    return this;
  }

  public String getHost() {
    return host;
  }

  /** The address to bind (an IP literal or a name resolved once at start). */
  public ServerOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  /**
   * The UDP port; {@code 0} for any free port, {@link #DEFAULT_PORT} for the mode's default. With
   * {@link Mode#ALL} only {@code 0} (every socket on its own free port) or the default is accepted.
   */
  public ServerOptions setPort(int port) {
    this.port = port;
    return this;
  }

  public String getMessage() {
    return message;
  }

  /** The greeting mode's reply text. */
  public ServerOptions setMessage(String message) {
    this.message = message;
    return this;
  }

  public int getReceiveBufferSize() {
    return receiveBufferSize;
  }

  /** SO_RCVBUF to request in bytes, {@code -1} for the kernel default; Linux grants double, capped. */
  public ServerOptions setReceiveBufferSize(int receiveBufferSize) {
    this.receiveBufferSize = receiveBufferSize;
    return this;
  }

  public int getSendBufferSize() {
    return sendBufferSize;
  }

  /** SO_SNDBUF to request in bytes, {@code -1} for the kernel default; Linux grants double, capped. */
  public ServerOptions setSendBufferSize(int sendBufferSize) {
    this.sendBufferSize = sendBufferSize;
    return this;
  }

  public int getMetricsPort() {
    return metricsPort;
  }

  /** The Prometheus endpoint's TCP port on {@link #getHost()}; {@code 0} turns it off. */
  public ServerOptions setMetricsPort(int metricsPort) {
    this.metricsPort = metricsPort;
    return this;
  }

  public int getInstances() {
    return instances;
  }

  /** Sockets per mode, all on the same port through SO_REUSEPORT, one verticle instance each. */
  public ServerOptions setInstances(int instances) {
    this.instances = instances;
    return this;
  }

  public boolean isQuiet() {
    return quiet;
  }

  /** Print only the start and stop lines, no sampled datagrams. */
  public ServerOptions setQuiet(boolean quiet) {
    this.quiet = quiet;
    return this;
  }

  public TransportChoice getTransport() {
    return transport;
  }

  /** Which transport to use: native epoll when available ({@code AUTO}), epoll or fail, or NIO. */
  public ServerOptions setTransport(TransportChoice transport) {
    this.transport = transport;
    return this;
  }

  public GuardSettings.Mode getGuards() {
    return guards;
  }

  /** Which reply guards apply: by the bind address ({@code AUTO}), the public policy everywhere ({@code ON}), none. */
  public ServerOptions setGuards(GuardSettings.Mode guards) {
    this.guards = guards;
    return this;
  }

  public long getRateLimit() {
    return rateLimit;
  }

  /** Replies per second per source (IPv4 address, IPv6 /64); {@code 0} off, {@code -1} chosen by the guards. */
  public ServerOptions setRateLimit(long rateLimit) {
    this.rateLimit = rateLimit;
    return this;
  }

  public long getBurst() {
    return burst;
  }

  /** Replies a source may get at once before the rate applies; {@code -1} for two seconds of the rate. */
  public ServerOptions setBurst(long burst) {
    this.burst = burst;
    return this;
  }

  public int getMaxSources() {
    return maxSources;
  }

  /** Sources the rate limiter tracks at once, least recently seen evicted: bounds its memory. */
  public ServerOptions setMaxSources(int maxSources) {
    this.maxSources = maxSources;
    return this;
  }

  public boolean isAllowAmplification() {
    return allowAmplification;
  }

  /** Let a public bind answer with more bytes than it received (greeting to short requests). */
  public ServerOptions setAllowAmplification(boolean allowAmplification) {
    this.allowAmplification = allowAmplification;
    return this;
  }
}
