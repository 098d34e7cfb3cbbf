package dev.udplab.common.cli;

/** The exit codes of every udplab command, server and client alike (the README's table). */
public final class ExitCodes {

  /** Everything expected happened. */
  public static final int OK = 0;
  /** An expected reply never came, or a threshold was missed. */
  public static final int NO_REPLY = 1;
  /** Bad usage: an unknown flag or a bad value; one line on stderr. */
  public static final int USAGE = 2;
  /** Loss above {@code --max-loss}. */
  public static final int LOSS = 3;
  /** A port or address could not be bound, or another environment failure; one line naming it. */
  public static final int ENVIRONMENT = 4;

  private ExitCodes() {
  }
}
