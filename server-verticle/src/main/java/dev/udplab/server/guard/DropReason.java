package dev.udplab.server.guard;

import dev.udplab.common.cli.Converters;

/** Why a server did not answer a datagram it would otherwise have answered; the {@code reason} metric label. */
public enum DropReason {
  /** The kernel refused the reply (for example a reply larger than 65507 bytes). */
  SEND_FAILED,
  /** The sender exceeded its per-source rate limit. */
  RATE_LIMITED,
  /** The reply would have been larger than the request from an unverified sender. */
  AMPLIFICATION,
  /** The sender's port belongs to another UDP service that could be turned into a reflector. */
  REFLECTOR_PORT,
  /**
   * Answering would keep a reply loop going: the source is one of this process's own sockets, or it keeps answering
   * our replies with the same datagram ({@link LoopDetector}).
   */
  LOOP;

  /** The value of the {@code reason} label: the name in lower case, {@code send_failed}, {@code rate_limited}, ... */
  public String label() {
    return Converters.label(this);
  }
}
