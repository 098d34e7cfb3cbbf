package dev.udplab.server;

import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * Decides, per datagram that would be answered, whether to answer it. Stateless checks run first so that a
 * request dropped for its port or its size does not spend the source's rate tokens.
 */
public final class ReplyGuard {

  /** The outcome of {@link #decide}; every value but ANSWER is a {@code reason} label of the dropped counter. */
  public enum Decision {
    ANSWER(null), REFLECTOR_PORT("reflector_port"), AMPLIFICATION("amplification"), RATE_LIMITED("rate_limited");

    private final String reason;

    Decision(String reason) {
      this.reason = reason;
    }

    /** The {@code reason} label, or null for ANSWER. */
    public String reason() {
      return reason;
    }
  }

  /** Source ports never answered: 0 is not a real sender, the rest are services that answer whatever they get. */
  static final int[] REFLECTOR_PORTS = {0, 7, 19, 53, 123, 161, 1900, 11211};

  private final GuardSettings settings;
  private final SourceRateLimiter limiter;

  /** A guard with its own rate limiter (if rate limiting is on), clocked by {@code nanoClock}. */
  public ReplyGuard(GuardSettings settings, LongSupplier nanoClock) {
    this(settings, settings.rateLimited()
        ? new SourceRateLimiter(settings.rateLimitPps(), settings.burst(), settings.maxSources(), nanoClock)
        : null);
  }

  /** A guard sharing {@code limiter} (null = no rate limit) with other sockets of the same server port. */
  public ReplyGuard(GuardSettings settings, SourceRateLimiter limiter) {
    this.settings = settings;
    this.limiter = limiter;
  }

  public GuardSettings settings() {
    return settings;
  }

  /** The rate limiter, or null when rate limiting is off. */
  public SourceRateLimiter limiter() {
    return limiter;
  }

  /**
   * @param source       the sender's address
   * @param sourcePort   the sender's port
   * @param requestBytes size of the datagram received
   * @param replyBytes   size of the reply the responder produced
   */
  public Decision decide(InetAddress source, int sourcePort, int requestBytes, int replyBytes) {
    if (settings.reflectorPortGuard() && isReflectorPort(sourcePort)) {
      return Decision.REFLECTOR_PORT;
    }
    if (settings.amplificationGuard() && replyBytes > requestBytes) {
      return Decision.AMPLIFICATION;
    }
    if (limiter != null && !limiter.tryAcquire(source)) {
      return Decision.RATE_LIMITED;
    }
    return Decision.ANSWER;
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
