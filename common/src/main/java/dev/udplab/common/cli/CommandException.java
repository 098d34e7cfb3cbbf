package dev.udplab.common.cli;

/**
 * A failure the user can act on: {@link CommandLines} prints its message as one line on stderr after the
 * command's name, without a stack trace, and the process exits with {@link #exitCode()}.
 */
public final class CommandException extends RuntimeException {

  private final int exitCode;

  public CommandException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** An {@link ExitCodes#ENVIRONMENT} failure: a port that cannot be bound, a missing transport, and the like. */
  public static CommandException environment(String message) {
    return new CommandException(ExitCodes.ENVIRONMENT, message);
  }

  public int exitCode() {
    return exitCode;
  }
}
