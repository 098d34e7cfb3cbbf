package dev.udplab.common.runtime;

import sun.misc.Signal;

/**
 * Signal handlers without the JVM's shutdown: {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only
 * way to act on SIGINT, SIGTERM or SIGHUP and still decide what is printed and which code the process exits with.
 * A shutdown hook cannot do that: once the JVM shuts down, the main thread can no longer finish a report.
 */
public final class Signals {

  private Signals() {
  }

  /**
   * Runs {@code action} on a JVM signal thread each time {@code name} ({@code "INT"}, {@code "TERM"}, {@code "HUP"})
   * arrives, instead of the JVM's default. Returns false where this JVM keeps the signal (e.g. {@code -Xrs}).
   */
  public static boolean handle(String name, Runnable action) {
    try {
      Signal.handle(new Signal(name), signal -> action.run());
      return true;
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      return false;
    }
  }

  /** The conventional exit code of a process ended by signal {@code name}: 128 + its number (INT 130, TERM 143). */
  public static int exitCodeOf(String name) {
    switch (name) {
      case "HUP":
        return 129;
      case "INT":
        return 130;
      case "TERM":
        return 143;
      default:
        return 128 + new Signal(name).getNumber();
    }
  }
}
