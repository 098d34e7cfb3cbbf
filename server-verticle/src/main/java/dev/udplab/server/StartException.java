package dev.udplab.server;

/** A server could not start for a reason in its environment (port in use, address missing): exit code 4. */
public final class StartException extends Exception {
  /** The process exit code for an environment failure. */
  public static final int EXIT_CODE = 4;

  public StartException(String oneLineMessage) {
    super(oneLineMessage);
  }
}
