package dev.udplab.server;

/**
 * The one server of a process, between {@code main} and the signal that ends it. A stop may come before the start
 * has finished (a SIGTERM right after launch): it is remembered, and the server is stopped, with its final counts,
 * as soon as it has started. Thread-safe: {@code main} starts, a signal thread stops.
 */
final class ServerProcess {
  private ServerRuntime runtime;
  private boolean stopRequested;

  /** Hands over the started server; false, with the server already stopped, when a stop came first. */
  synchronized boolean started(ServerRuntime started) {
    if (stopRequested) {
      started.stop();
      return false;
    }
    runtime = started;
    return true;
  }

  /**
   * Stops the server (printing its final counts) and returns true when one runs; otherwise remembers the request
   * for {@link #started} and returns false.
   */
  synchronized boolean stop() {
    stopRequested = true;
    if (runtime == null) {
      return false;
    }
    runtime.stop();
    return true;
  }

  /** The running server, or null before it started. */
  synchronized ServerRuntime runtime() {
    return runtime;
  }
}
