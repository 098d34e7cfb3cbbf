package dev.udplab.client.run;

import dev.udplab.common.runtime.Signals;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C, SIGTERM and SIGHUP for a measuring run: the first of them ends the send phase of the current flood (which
 * then drains and reports as usual, so {@code timeout}, systemd, CI runners and Kubernetes get the report too) and
 * marks the command as stopped; it then exits with its own code. A second signal of any of the three, at least
 * half a second after the first, exits at once with 128 + its number (INT 130, TERM 143, HUP 129). One sooner
 * is the same stop delivered twice: {@code timeout} sends its SIGTERM to the command and then to its whole process
 * group, so the command gets two within microseconds.
 *
 * <p>A shutdown hook cannot do this: once the JVM is shutting down, the main thread could no longer print the
 * summary and exit with its own code ({@link Signals} says why). Where the JVM keeps a signal (e.g. {@code -Xrs}), it
 * simply ends the JVM.
 */
public final class StopSignal {

  /** The signals that stop a run. */
  static final String[] SIGNALS = {"INT", "TERM", "HUP"};
  /** How long after the first signal another one counts as a second (a person pressing Ctrl-C again). */
  static final long REPEAT_AFTER_NANOS = 500_000_000L;

  private static volatile StopSignal installed;

  private final CountDownLatch interrupted = new CountDownLatch(1);
  private volatile long stoppedAtNanos;
  private volatile Runnable onStop = () -> { };

  private StopSignal() {
  }

  /** Installs the handlers for this process (idempotent per command run). */
  public static StopSignal install() {
    StopSignal signal = new StopSignal();
    installed = signal;
    for (String name : SIGNALS) {
      Signals.handle(name, () -> {
        StopSignal current = installed;
        if (current == null) {
          Runtime.getRuntime().halt(Signals.exitCodeOf(name));
        }
        if (current.isInterrupted()) {
          if (System.nanoTime() - current.stoppedAtNanos >= REPEAT_AFTER_NANOS) {
            Runtime.getRuntime().halt(Signals.exitCodeOf(name));
          }
          return;
        }
        current.stop();
      });
    }
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
    if (!isInterrupted()) {
      stoppedAtNanos = System.nanoTime();
    }
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
