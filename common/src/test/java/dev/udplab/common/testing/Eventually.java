package dev.udplab.common.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded waits for conditions that have no completion event (counters, files, processes). */
public final class Eventually {

  private Eventually() {
  }

  /** Waits until {@code condition} holds, polling every millisecond; AssertionError naming {@code what} if not. */
  public static void await(String what, long timeoutMillis, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Completes once {@code condition} holds, checking every 10 ms on {@code vertx} (the test's timeout bounds it). */
  public static Future<Void> eventually(Vertx vertx, BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    vertx.setPeriodic(0, 10, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        done.complete();
      }
    });
    return done.future();
  }
}
