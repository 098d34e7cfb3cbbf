package dev.udplab.server;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The reply guards of one server port as a {@link ReplyPolicy}: reflector source ports, amplification, and a
 * per-source rate limit, as {@link GuardSettings} says. Stateless checks run first so that a request dropped for
 * its port or its size does not spend the source's rate tokens. Thread-safe: the sockets of all instances on a
 * port share one guard, and so one rate-limit table.
 */
public final class ReplyGuard implements ReplyPolicy {

  /** Source ports never answered: 0 is not a real sender, the rest are services that answer whatever they get. */
  static final int[] REFLECTOR_PORTS = {0, 7, 19, 53, 123, 161, 1900, 11211};

  /** Stands for a --host that does not resolve: not loopback, so the public policy and the guards line apply. */
  private static final InetAddress UNRESOLVED = new java.net.InetSocketAddress(0).getAddress();

  private final GuardSettings settings;
  private final SourceRateLimiter limiter;

  /** A guard with its own rate-limit table when {@code settings} asks for one; time comes with each datagram. */
  public ReplyGuard(GuardSettings settings) {
    this.settings = settings;
    this.limiter = settings.rateLimited()
        ? new SourceRateLimiter(settings.rateLimitPps(), settings.burst(), settings.maxSources(), System::nanoTime)
        : null;
  }

  /** The guard for a server socket with these options: resolves {@code --host} to tell loopback from public. */
  public static ReplyGuard forOptions(ServerOptions options) {
    return new ReplyGuard(settingsFor(options));
  }

  /** The guard settings these options give. A host that does not resolve gets the public policy. */
  public static GuardSettings settingsFor(ServerOptions options) {
    InetAddress bind;
    try {
      bind = InetAddress.getByName(options.getHost());
    } catch (UnknownHostException e) {
      bind = null;
    }
    GuardSettings.Mode mode = bind == null && options.getGuards() == GuardSettings.Mode.AUTO
        ? GuardSettings.Mode.ON : options.getGuards();
    return GuardSettings.resolve(mode, bind == null ? UNRESOLVED : bind,
        options.getRateLimit() < 0 ? null : options.getRateLimit(),
        options.getBurst() < 0 ? null : options.getBurst(),
        options.getMaxSources(), options.isAllowAmplification());
  }

  public GuardSettings settings() {
    return settings;
  }

  /** The rate-limit table, or null when rate limiting is off. */
  public SourceRateLimiter limiter() {
    return limiter;
  }

  @Override
  public DropReason decide(String senderHost, int senderPort, int requestBytes, int replyBytes, long nowNanos) {
    if (settings.reflectorPortGuard() && isReflectorPort(senderPort)) {
      return DropReason.REFLECTOR_PORT;
    }
    if (settings.amplificationGuard() && replyBytes > requestBytes) {
      return DropReason.AMPLIFICATION;
    }
    if (limiter != null && !limiter.tryAcquire(SourceRateLimiter.keyOfHost(senderHost), nowNanos)) {
      return DropReason.RATE_LIMITED;
    }
    return null;
  }

  static boolean isReflectorPort(int port) {
    for (int p : REFLECTOR_PORTS) {
      if (p == port) {
        return true;
      }
    }
    return false;
  }
}
