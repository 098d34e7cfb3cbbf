package dev.udplab.server;

/** Why a server did not answer a datagram it would otherwise have answered; the {@code reason} metric label. */
public enum DropReason {
  /** The kernel refused the reply (for example a reply larger than 65507 bytes). */
  SEND_FAILED("send_failed"),
  /** The sender exceeded its per-source rate limit. */
  RATE_LIMITED("rate_limited"),
  /** The reply would have been larger than the request from an unverified sender. */
  AMPLIFICATION("amplification"),
  /** The sender's port belongs to another UDP service that could be turned into a reflector. */
  REFLECTOR_PORT("reflector_port");

  private final String label;

  DropReason(String label) {
    this.label = label;
  }

  /** The value of the {@code reason} label. */
  public String label() {
    return label;
  }
}
