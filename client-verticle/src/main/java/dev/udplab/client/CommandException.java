package dev.udplab.client;

/**
 * A failure the user can act on: {@link ClientMain} prints its message as one line on stderr, without a stack
 * trace, and exits with {@link #exitCode()}.
 */
public final class CommandException extends RuntimeException {

  private final int exitCode;

  public CommandException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** Builds an {@link ExitCodes#ENVIRONMENT} failure (a port that cannot be bound, and the like). */
  public static CommandException environment(String message) {
    return new CommandException(ExitCodes.ENVIRONMENT, message);
  }

  public int exitCode() {
    return exitCode;
  }
}
