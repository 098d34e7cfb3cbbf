package dev.udplab.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-side traffic and readings: blocking JDK sockets that send from many source ports (no Vert.x, so the
 * sender never competes with the server's event loops for the same threads), Prometheus text parsing, and a
 * bounded wait for a condition on counters that have no completion event.
 */
final class Traffic {

  private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)$");

  private Traffic() {
  }

  /** {@code count} sockets bound to an ephemeral port on {@code host}, blocking. */
  static List<DatagramChannel> sockets(String host, int count) throws IOException {
    List<DatagramChannel> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      DatagramChannel channel = DatagramChannel.open(host.contains(":") ? StandardProtocolFamily.INET6
          : StandardProtocolFamily.INET);
      channel.bind(new InetSocketAddress(host, 0));
      sockets.add(channel);
    }
    return sockets;
  }

  static void closeAll(List<DatagramChannel> sockets) throws IOException {
    for (DatagramChannel socket : sockets) {
      socket.close();
    }
  }

  /** Sends {@code count} datagrams of {@code size} bytes, round-robin over {@code sockets}; returns the count. */
  static long send(List<DatagramChannel> sockets, InetSocketAddress target, long count, int size) throws IOException {
    return send(sockets, target, count, size, () -> false);
  }

  /** As {@link #send(List, InetSocketAddress, long, int)}, stopping early once {@code stop} holds. */
  static long send(List<DatagramChannel> sockets, InetSocketAddress target, long count, int size, BooleanSupplier stop)
      throws IOException {
    ByteBuffer payload = ByteBuffer.allocateDirect(size);
    long sent = 0;
    while (sent < count && (sent % 1024 != 0 || !stop.getAsBoolean())) {
      payload.clear();
      sockets.get((int) (sent % sockets.size())).send(payload, target);
      sent++;
    }
    return sent;
  }

  /**
   * As {@link #send(List, InetSocketAddress, long, int, BooleanSupplier)}, but {@code perMillisecond} datagrams per
   * millisecond at most: a rate far above what one event loop answers still overloads the server, while the sender
   * leaves some of a 2-core machine's CPU to the rest of the process.
   */
  static long sendPaced(List<DatagramChannel> sockets, InetSocketAddress target, long count, int size,
      int perMillisecond, BooleanSupplier stop) throws IOException {
    ByteBuffer payload = ByteBuffer.allocateDirect(size);
    long sent = 0;
    long tick = System.nanoTime();
    while (sent < count && !stop.getAsBoolean()) {
      for (int i = 0; i < perMillisecond && sent < count; i++) {
        payload.clear();
        sockets.get((int) (sent % sockets.size())).send(payload, target);
        sent++;
      }
      tick += 1_000_000;
      long wait = tick - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
    return sent;
  }

  /** The sum of every series of {@code name} whose labels include all {@code labelPairs} ("k=v"). */
  static double value(String scrape, String name, String... labelPairs) {
    double total = 0;
    boolean found = false;
    for (String line : scrape.split("\n")) {
      Matcher m = SERIES.matcher(line.trim());
      if (!m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      String labels = m.group(2) == null ? "" : m.group(2);
      boolean all = true;
      for (String pair : labelPairs) {
        String[] kv = pair.split("=", 2);
        all &= labels.contains(kv[0] + "=\"" + kv[1] + "\"");
      }
      if (all) {
        total += Double.parseDouble(m.group(3));
        found = true;
      }
    }
    if (!found) {
      throw new AssertionError("no series " + name + " with " + String.join(",", labelPairs) + " in:\n" + scrape);
    }
    return total;
  }

  static long count(String scrape, String name, String... labelPairs) {
    return (long) value(scrape, name, labelPairs);
  }

  /** Waits until {@code condition} holds, polling every millisecond; AssertionError naming {@code what} if not. */
  static void await(String what, long timeoutMillis, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Completes once {@code condition} holds, checking every 10 ms (the class timeout bounds the wait). */
  static Future<Void> eventually(Vertx vertx, BooleanSupplier condition) {
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
