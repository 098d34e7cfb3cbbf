package dev.udplab.server.guard;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * The reply guards of one server port, as {@link GuardSettings} says: our own sockets as sources, reflector source
 * ports, amplification, reply loops with other servers, and a per-source rate limit. {@link #forSocket()} gives each
 * socket (instance) of the port its {@link ReplyPolicy}: they share this guard's rate-limit table, so one source is
 * bounded across all of them, and each keeps its own {@link LoopDetector}. Stateless checks run first so that a
 * request dropped for its source, its port or its size spends neither loop state nor the source's rate tokens.
 */
public final class ReplyGuard {

  /** Source ports never answered: 0 is not a real sender, the rest are services that answer whatever they get. */
  static final int[] REFLECTOR_PORTS = {0, 7, 19, 53, 123, 161, 1900, 11211};

  private final GuardSettings settings;
  private final OwnSockets ownSockets;
  private final SourceRateLimiter limiter;

  /**
   * A guard with its own rate-limit table when {@code settings} asks for one; time comes with each datagram.
   *
   * @param ownSockets every socket of this process (all ports), whose datagrams are never answered
   */
  public ReplyGuard(GuardSettings settings, OwnSockets ownSockets) {
    this.settings = settings;
    this.ownSockets = ownSockets;
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

  /** The policy of one socket of this port: for one event loop, as {@link LoopDetector} is. */
  public ReplyPolicy forSocket() {
    LoopDetector loops = settings.loopGuard() ? new LoopDetector() : null;
    return (sender, request, replyBytes, nowNanos) -> decide(sender, request, replyBytes, nowNanos, loops);
  }

  private DropReason decide(InetSocketAddress sender, ByteBuf request, int replyBytes, long nowNanos,
                            LoopDetector loops) {
    if (ownSockets.isOwn(sender)) {
      return DropReason.LOOP;
    }
    if (settings.reflectorPortGuard() && isReflectorPort(sender.getPort())) {
      return DropReason.REFLECTOR_PORT;
    }
    if (settings.amplificationGuard() && replyBytes > request.readableBytes()) {
      return DropReason.AMPLIFICATION;
    }
    if (loops != null && loops.endsLoop(sender, request, nowNanos)) {
      return DropReason.LOOP;
    }
    if (limiter != null && !limiter.tryAcquire(sender.getAddress(), nowNanos)) {
      return DropReason.RATE_LIMITED;
    }
    if (loops != null) {
      loops.answered(nowNanos);
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
