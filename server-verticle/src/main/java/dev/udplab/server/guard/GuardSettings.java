package dev.udplab.server.guard;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The reply guards in force for one server socket, resolved from the options and the bind address.
 * <p>
 * {@code --guards auto} (the default) treats a loopback bind as private and anything else (a public address, a
 * LAN address, the wildcard) as public. {@code --guards on} applies the public policy on any bind, which is how
 * the tests exercise it on 127.0.0.1; {@code --guards off} turns every guard off except an explicit
 * {@code --rate-limit}.
 *
 * @param rateLimitPps        tokens per second per source; 0 means no rate limit
 * @param burst               bucket size per source
 * @param maxSources          sources tracked at once (least recently seen evicted)
 * @param amplificationGuard  drop a request whose reply would be larger than the request
 * @param reflectorPortGuard  drop requests from source port 0 and the classic reflector ports
 * @param loopGuard           break reply loops with other servers ({@link LoopDetector}); datagrams from this
 *                            process's own sockets are dropped whatever this says
 * @param publicPolicy        whether the public (non-loopback) policy applies
 * @param loopbackBind        whether the socket binds a loopback address (only the host itself can reach it)
 */
public record GuardSettings(long rateLimitPps, long burst, int maxSources, boolean amplificationGuard,
                            boolean reflectorPortGuard, boolean loopGuard, boolean publicPolicy,
                            boolean loopbackBind) {

  /** Per-source rate on a public bind unless {@code --rate-limit} says otherwise. */
  public static final long DEFAULT_PUBLIC_RATE_LIMIT = 1000;
  /** Sources tracked at once unless {@code --max-sources} says otherwise: about 2.5 MB of table. */
  public static final int DEFAULT_MAX_SOURCES = 65_536;
  /** The burst when none is given is this many seconds' worth of the rate. */
  public static final long DEFAULT_BURST_SECONDS = 2;

  /** Stands for a --host that does not resolve: not loopback, so the public policy and the guards line apply. */
  private static final InetAddress UNRESOLVED = new InetSocketAddress(0).getAddress();

  /**
   * The guards of a socket bound to {@code host} (an IP literal or a name, resolved here to tell loopback from
   * public). A host that does not resolve gets the public policy: an address we cannot classify gets the safe one.
   * The other parameters are as for {@link #resolve}.
   */
  public static GuardSettings forBind(String host, GuardPolicy policy, Long rateLimitPps, Long burst, int maxSources,
                                      boolean allowAmplification) {
    InetAddress bind;
    try {
      bind = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return resolve(policy == GuardPolicy.AUTO ? GuardPolicy.ON : policy, UNRESOLVED, rateLimitPps, burst,
          maxSources, allowAmplification);
    }
    return resolve(policy, bind, rateLimitPps, burst, maxSources, allowAmplification);
  }

  /**
   * Resolves the guards.
   *
   * @param policy             auto, on or off
   * @param bind               the address the socket binds
   * @param rateLimitPps       {@code --rate-limit}, or null when not given (0 = off)
   * @param burst              {@code --burst}, or null for {@value #DEFAULT_BURST_SECONDS} seconds of the rate
   * @param maxSources         {@code --max-sources}
   * @param allowAmplification {@code --allow-amplification}
   */
  public static GuardSettings resolve(GuardPolicy policy, InetAddress bind, Long rateLimitPps, Long burst,
                                      int maxSources, boolean allowAmplification) {
    boolean publicPolicy = policy.publicPolicy(bind);
    long rate = rateLimitPps != null ? rateLimitPps : (publicPolicy ? DEFAULT_PUBLIC_RATE_LIMIT : 0);
    long resolvedBurst = burst != null ? burst : Math.max(1, Math.min(SourceRateLimiter.MAX_BURST,
        rate * DEFAULT_BURST_SECONDS));
    return new GuardSettings(rate, resolvedBurst, maxSources, publicPolicy && !allowAmplification,
        policy != GuardPolicy.OFF, policy != GuardPolicy.OFF, publicPolicy, bind.isLoopbackAddress());
  }

  /** Whether the server announces its guards at start: on any bind others can reach, or when forced on. */
  public boolean announced() {
    return publicPolicy || !loopbackBind;
  }

  public boolean rateLimited() {
    return rateLimitPps > 0;
  }

  /**
   * The key=value tail of the startup line, e.g. {@code rate-limit=1000 burst=2000 max-sources=65536 ...}; {@code
   * loops=own-sockets} says that only datagrams from this process's own sockets are dropped as loops.
   */
  public String describe() {
    return (rateLimited() ? "rate-limit=" + rateLimitPps + " burst=" + burst + " max-sources=" + maxSources
        : "rate-limit=off")
        + " amplification=" + (amplificationGuard ? "drop" : "allow")
        + " reflector-ports=" + (reflectorPortGuard ? "drop" : "allow")
        + " loops=" + (loopGuard ? "drop" : "own-sockets");
  }
}
