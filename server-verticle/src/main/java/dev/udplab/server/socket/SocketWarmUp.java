package dev.udplab.server.socket;

import dev.udplab.server.guard.ReplyPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Makes a started socket ready before it says so: sends it datagrams from private loopback sockets through its
 * real pipeline (a second {@link DatagramReplier} of the same class, with private meters of the same classes, see
 * {@link UdpServerVerticle#beginWarmUp}) until the JIT has compiled that path, the allocator has its chunks and
 * the classes of the first datagram are loaded, then waits for the compiler threads to go quiet so that they do
 * not take the CPU from the first real datagrams. Without it a fresh server stalled 100-250 ms on its first
 * datagrams and lost everything past its receive buffer (bench/RESULTS.md, "Cold start").
 *
 * <p>Never more than {@link #WINDOW} datagrams unanswered at once (fewer for a small receive buffer): each round tops
 * up to that, so the socket's queue never holds more than its receive buffer takes and the kernel drops nothing,
 * however long the first datagrams stall. One private socket for one instance; for {@code --instances N}
 * 4N of them, because SO_REUSEPORT picks the instance by the source port. Runs on the caller's (main) thread.
 */
public final class SocketWarmUp {
  /** Datagrams in flight at once, at most: fewer where the receive buffer would not hold them. */
  static final int WINDOW = 64;
  /** Receive-buffer bytes one warm-up datagram may take (its truesize, with room to spare), so none is dropped. */
  static final int BUFFER_BYTES_PER_DATAGRAM = 2560;
  /** Every datagram is this long except each {@link #ODD_EVERY}th, so that runs of equal replies break. */
  static final int SIZE_BYTES = 64;
  static final int ODD_SIZE_BYTES = 1000;
  static final int ODD_EVERY = 8;
  /** The most the datagrams may take; a socket that does not take them faster is left as it is. */
  static final long SEND_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** The most the end waits for the last window, so that none is left for the real replier. */
  static final long SETTLE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(3);
  /** The most one round waits for its datagrams before it looks again. */
  static final long WINDOW_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** The most the wait for a quiet JIT may take, and how often it looks. */
  static final long QUIET_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  static final long QUIET_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  static final int QUIET_POLLS = 3;

  private SocketWarmUp() {
  }

  /**
   * What a warm-up did.
   *
   * @param sent       datagrams sent
   * @param received   datagrams the sockets' warm-up repliers took
   * @param nanos      how long it took, JIT wait included
   */
  public record Result(long sent, long received, long nanos) {
  }

  /**
   * Warms every instance of one port up with about {@code datagrams} datagrams each and removes the warm-up
   * again; nothing of it is counted in the instances' meters.
   *
   * @param instances the started sockets of one port
   * @param policy    a fresh policy of the same class as the real one (its rate-limit table then never sees the
   *                  warm-up's source)
   */
  public static Result run(List<UdpServerVerticle> instances, int datagrams, Supplier<ReplyPolicy> policy) {
    long start = System.nanoTime();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String backend = "udp-server-warmup-" + UUID.randomUUID();
    // Vert.x's own datagram meters, the same class as the real ones, but in a registry nobody scrapes
    VertxMetrics vertxMetrics = new MicrometerMetricsFactory(registry).metrics(new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName(backend)));
    List<DatagramChannel> clients = new ArrayList<>();
    List<ServerMetrics> meters = new ArrayList<>();
    long sent = 0;
    try {
      UdpServerVerticle first = instances.get(0);
      InetSocketAddress target = loopbackTarget(first.bound().address().hostAddress(), first.bound().address().port());
      Set<InetSocketAddress> sources = new CopyOnWriteArraySet<>();
      for (int i = 0; i < (instances.size() == 1 ? 1 : 4 * instances.size()); i++) {
        DatagramChannel client = DatagramChannel.open(target.getAddress() instanceof Inet6Address
            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        clients.add(client);
        client.connect(target);
        client.configureBlocking(false);
        sources.add((InetSocketAddress) client.getLocalAddress());
      }
      for (UdpServerVerticle socket : instances) {
        DatagramSocketMetrics socketMetrics = vertxMetrics.createDatagramSocketMetrics(new DatagramSocketOptions());
        socketMetrics.listening(null, socket.bound().address());
        ServerMetrics warmMeters = new ServerMetrics(registry, socket.settings().mode(),
            socket.bound().address().port(), socketMetrics);
        meters.add(warmMeters);
        await(socket.beginWarmUp(sources, warmMeters, policy.get()));
      }
      int window = Math.max(1, Math.min(WINDOW, first.bound().receiveBufferBytes() / BUFFER_BYTES_PER_DATAGRAM));
      sent = send(clients, meters, window, (long) datagrams * instances.size(), start + SEND_LIMIT_NANOS);
    } catch (IOException e) {
      throw new UncheckedIOException("the warm-up's loopback socket failed", e);
    } finally {
      for (UdpServerVerticle socket : instances) {
        await(socket.endWarmUp());
      }
      for (DatagramChannel client : clients) {
        try {
          client.close();
        } catch (IOException e) {
          // nothing is left to send
        }
      }
      vertxMetrics.close();
      BackendRegistries.stop(backend);
    }
    awaitQuietCompiler();
    return new Result(sent, meters.stream().mapToLong(ServerMetrics::receivedHere).sum(), System.nanoTime() - start);
  }

  private static long send(List<DatagramChannel> clients, List<ServerMetrics> meters, int window, long target,
      long deadline) throws IOException {
    ByteBuffer payload = ByteBuffer.allocateDirect(ODD_SIZE_BYTES);
    ByteBuffer replies = ByteBuffer.allocateDirect(65_536);
    long sent = 0;
    int next = 0;
    while (sent < target && System.nanoTime() < deadline) {
      DatagramChannel client = clients.get(next++ % clients.size());
      long room = room(window, sent, received(meters));
      for (long i = 0; i < room; i++) {
        payload.clear().limit((sent + i) % ODD_EVERY == ODD_EVERY - 1 ? ODD_SIZE_BYTES : SIZE_BYTES);
        client.write(payload);
      }
      sent += room;
      awaitReplies(clients, meters, replies, sent, Math.min(deadline, System.nanoTime() + WINDOW_LIMIT_NANOS));
    }
    // none may be left queued when the real replier takes over: it would count and print them as traffic
    awaitReplies(clients, meters, replies, sent, System.nanoTime() + SETTLE_LIMIT_NANOS);
    return sent;
  }

  /** Reads the replies away until the sockets' warm-up repliers have taken {@code sent}, or until {@code end}. */
  private static void awaitReplies(List<DatagramChannel> clients, List<ServerMetrics> meters, ByteBuffer replies,
      long sent, long end) throws IOException {
    while (received(meters) < sent && System.nanoTime() < end) {
      for (DatagramChannel each : clients) {
        while (each.read(replies.clear()) > 0) {
          // the replies only have to leave the socket
        }
      }
      LockSupport.parkNanos(20_000);
    }
  }

  /**
   * Datagrams one round may send: the window less those still unanswered. A full window after a stall longer than
   * {@link #WINDOW_LIMIT_NANOS} would pile up behind the last one (three windows overflowed a 128 KiB buffer, 24
   * dropped); on loopback nothing else loses a warm-up datagram, so the unanswered ones are all still queued.
   */
  static long room(int window, long sent, long received) {
    return Math.max(0, window - (sent - received));
  }

  private static long received(List<ServerMetrics> meters) {
    long total = 0;
    for (ServerMetrics each : meters) {
      total += each.receivedHere();
    }
    return total;
  }

  /** Until no compilation has finished for {@link #QUIET_POLLS} looks, at most {@link #QUIET_LIMIT_NANOS}. */
  private static void awaitQuietCompiler() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long end = System.nanoTime() + QUIET_LIMIT_NANOS;
    long last = jit.getTotalCompilationTime();
    for (int still = 0; still < QUIET_POLLS && System.nanoTime() < end; ) {
      LockSupport.parkNanos(QUIET_POLL_NANOS);
      long now = jit.getTotalCompilationTime();
      still = now == last ? still + 1 : 0;
      last = now;
    }
  }

  /** The bound address itself, or loopback of its family for a wildcard bind. */
  static InetSocketAddress loopbackTarget(String boundHost, int port) throws IOException {
    InetAddress bound = InetAddress.getByName(boundHost);
    if (bound.isAnyLocalAddress()) {
      bound = InetAddress.getByName(bound instanceof Inet6Address ? "::1" : "127.0.0.1");
    }
    return new InetSocketAddress(bound, port);
  }

  private static void await(Future<Void> step) {
    try {
      step.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the warm-up could not reach the socket's event loop", e);
    }
  }
}
