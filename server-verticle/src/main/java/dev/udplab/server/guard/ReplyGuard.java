package dev.udplab.server.guard;

import java.net.InetSocketAddress;

/**
 * The reply guards of one server port as a {@link ReplyPolicy}: reflector source ports, amplification, and a
 * per-source rate limit, as {@link GuardSettings} says. Stateless checks run first so that a request dropped for
 * its port or its size does not spend the source's rate tokens. Thread-safe: the sockets of all instances on a
 * port share one guard, and so one rate-limit table.
 */
public final class ReplyGuard implements ReplyPolicy {

  /** Source ports never answered: 0 is not a real sender, the rest are services that answer whatever they get. */
  static final int[] REFLECTOR_PORTS = {0, 7, 19, 53, 123, 161, 1900, 11211};

  private final GuardSettings settings;
  private final SourceRateLimiter limiter;

  /** A guard with its own rate-limit table when {@code settings} asks for one; time comes with each datagram. */
  public ReplyGuard(GuardSettings settings) {
    this.settings = settings;
    this.limiter = settings.rateLimited()
        ? new SourceRateLimiter(settings.rateLimitPps(), settings.burst(), settings.maxSources(), System::nanoTime)
        : null;
  }

  public GuardSettings settings() {
    return settings;
  }

  /** The rate-limit table, or null when rate limiting is off. */
  public SourceRateLimiter limiter() {
    return limiter;
  }

  @Override
  public DropReason decide(InetSocketAddress sender, int requestBytes, int replyBytes, long nowNanos) {
    if (settings.reflectorPortGuard() && isReflectorPort(sender.getPort())) {
      return DropReason.REFLECTOR_PORT;
    }
    if (settings.amplificationGuard() && replyBytes > requestBytes) {
      return DropReason.AMPLIFICATION;
    }
    if (limiter != null && !limiter.tryAcquire(sender.getAddress(), nowNanos)) {
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
