package dev.udplab.client.net;

import dev.udplab.common.cli.Converters;

/** {@code --gso}: whether flood writes carry several datagrams, cut by the kernel (see {@link UdpGso}). */
public enum GsoMode {
  /** Towards loopback targets, where the kernel and the transport offer it. */
  AUTO,
  /** Towards any target; a start failure (exit 4) where it is not offered. */
  ON,
  /** One datagram per write. */
  OFF;

  @Override
  public String toString() {
    return Converters.label(this);
  }
}
