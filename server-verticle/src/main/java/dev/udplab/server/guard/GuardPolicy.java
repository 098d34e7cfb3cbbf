package dev.udplab.server.guard;

import dev.udplab.common.cli.Converters;

/** {@code --guards}: how the reply guards are chosen. */
public enum GuardPolicy {
  /** The public policy on any bind others can reach (not loopback); only the reflector-port guard on loopback. */
  AUTO,
  /** The public policy on any bind, loopback included (how the tests exercise it). */
  ON,
  /** No guard, except an explicit {@code --rate-limit}. */
  OFF;

  /** {@code auto}, {@code on} or {@code off}, as the command line spells it. */
  @Override
  public String toString() {
    return Converters.label(this);
  }
}
