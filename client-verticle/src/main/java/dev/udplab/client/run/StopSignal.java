package dev.udplab.client.run;

import dev.udplab.common.runtime.Signals;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a measuring run: the first SIGINT ends the send phase of the current flood (which then
 * drains and reports as usual) and marks the command as interrupted; a second one exits at once (130).
 *
 * <p>A shutdown hook cannot do this: once the JVM is shutting down, the main thread could no longer
 * print the summary and exit with its own code ({@link Signals} says why). Where the JVM keeps SIGINT, Ctrl-C
 * simply ends it.
 */
public final class StopSignal {

  private static volatile StopSignal installed;

  private final CountDownLatch interrupted = new CountDownLatch(1);
  private volatile Runnable onStop = () -> { };

  private StopSignal() {
  }

  /** Installs the handler for this process (idempotent per command run). */
  public static StopSignal install() {
    StopSignal signal = new StopSignal();
    installed = signal;
    Signals.handle("INT", () -> {
      StopSignal current = installed;
      if (current == null || current.isInterrupted()) {
        Runtime.getRuntime().halt(Signals.exitCodeOf("INT"));
      }
      current.stop();
    });
    return signal;
  }

  /** A signal that is never raised by the OS, for tests and embedded use. */
  public static StopSignal detached() {
    return new StopSignal();
  }

  /** What to do on the next stop (end the current flood's send phase). */
  public void onStop(Runnable action) {
    onStop = action;
  }

  /** Raises the signal: marks interrupted and runs the stop action. */
  public void stop() {
    interrupted.countDown();
    onStop.run();
  }

  /** Whether a stop was raised. */
  public boolean isInterrupted() {
    return interrupted.getCount() == 0;
  }

  /** Waits up to {@code millis} or until a stop, whichever comes first. */
  public void sleep(long millis) throws InterruptedException {
    interrupted.await(millis, TimeUnit.MILLISECONDS);
  }
}
