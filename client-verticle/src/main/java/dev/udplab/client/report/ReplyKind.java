package dev.udplab.client.report;

import dev.udplab.common.cli.Converters;

/**
 * What a flood's replies are and how they are accounted: {@code --expect} takes all four, a report is always in one
 * of the last three, named by {@link #reportLabel()} in its text and JSON.
 */
public enum ReplyKind {
  /** Decided from what arrives: {@link #SEQUENCED} once a reply carries the header, {@link #COUNTED} otherwise. */
  AUTO,
  /** Replies carry our header (echo, uppercase): exact per-sequence figures and RTT. */
  SEQUENCED,
  /** Replies come but carry no sequence (greeting): loss is sent minus replies. */
  COUNTED,
  /** No replies are expected (sink): only what was sent, reported as {@code send-only}. */
  NONE;

  /** The report's {@code mode}: {@code sequenced}, {@code counted} or {@code send-only}. */
  public String reportLabel() {
    return this == NONE ? "send-only" : Converters.label(this);
  }

  /** The {@code --expect} spelling, which {@code --help} shows. */
  @Override
  public String toString() {
    return Converters.label(this);
  }
}
