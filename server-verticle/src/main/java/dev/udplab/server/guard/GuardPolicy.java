package dev.udplab.server.guard;

import dev.udplab.common.cli.Converters;
import java.net.InetAddress;

/** {@code --guards}: how the reply guards are chosen, as a table of where the public policy applies. */
public enum GuardPolicy {
  /** The public policy on any bind others can reach (not loopback); on loopback only the reflector-port guard. */
  AUTO(false, true),
  /** The public policy on any bind, loopback included (how the tests exercise it). */
  ON(true, true),
  /** No guard, except an explicit {@code --rate-limit}. */
  OFF(false, false);

  private final boolean publicOnLoopback;
  private final boolean publicElsewhere;

  GuardPolicy(boolean publicOnLoopback, boolean publicElsewhere) {
    this.publicOnLoopback = publicOnLoopback;
    this.publicElsewhere = publicElsewhere;
  }

  /** Whether the public policy (amplification guard, default rate limit) applies to a socket bound to {@code bind}. */
  public boolean publicPolicy(InetAddress bind) {
    return bind.isLoopbackAddress() ? publicOnLoopback : publicElsewhere;
  }

  /** {@code auto}, {@code on} or {@code off}, as the command line spells it. */
  @Override
  public String toString() {
    return Converters.label(this);
  }
}
