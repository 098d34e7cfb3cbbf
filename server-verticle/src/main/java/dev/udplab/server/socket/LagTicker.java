package dev.udplab.server.socket;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread of a process that hands every socket's {@link EventLoopLag} a tick each
 * {@link EventLoopLag#TICK_MICROS}. Started with the first socket, a daemon, so it never keeps the JVM alive.
 */
final class LagTicker {
  private static final CopyOnWriteArrayList<EventLoopLag> METERS = new CopyOnWriteArrayList<>();
  private static Thread thread;

  private LagTicker() {
  }

  /** Ticks {@code meter} from now on. */
  static synchronized void add(EventLoopLag meter) {
    METERS.add(meter);
    if (thread == null) {
      thread = new Thread(LagTicker::tickForever, "udp-server-lag-ticker");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Stops ticking {@code meter}. */
  static void remove(EventLoopLag meter) {
    METERS.remove(meter);
  }

  private static void tickForever() {
    long next = System.nanoTime();
    while (true) {
      next += EventLoopLag.TICK_NANOS;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else if (wait < -EventLoopLag.TICK_NANOS) {
        next = System.nanoTime(); // this thread was late itself: the loops' meters record their own lateness only
      }
      for (EventLoopLag meter : METERS) {
        meter.tick();
      }
    }
  }
}
