package dev.udplab.server.socket;

import dev.udplab.common.net.ProcNetUdp;
import dev.udplab.server.guard.DropReason;
import dev.udplab.server.mode.ServerMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one server socket counts into: the {@code udp_server_*} meters of its port, labelled {@code mode} and
 * {@code port} only, with the {@link KernelMeters} beside them; Vert.x's own {@code vertx_datagram_*} meters of the
 * socket; and the socket's own received count. Several instances on one port register the same ids and so share,
 * and sum into, the same {@code udp_server_*} meters. Every dropped datagram is counted through
 * {@link #dropped}. The counting methods run on the socket's event loop; the replier calls them once per read batch
 * with the batch's totals (Vert.x's summaries, whose count is datagrams, once per datagram).
 */
public final class ServerMetrics {
  private static final VarHandle RECEIVED_HERE;

  static {
    try {
      RECEIVED_HERE = MethodHandles.lookup().findVarHandle(ServerMetrics.class, "receivedHere", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The lag histogram's bucket bounds: from the timer's own jitter to stalls that lose whole receive buffers. */
  /** The lag histogram's bounds, as the client's RTT histogram's: the timer's own jitter up to lost seconds. */
  private static final Duration[] LAG_BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final int port;
  private final MeterRegistry registry;
  private final Tags tags;
  private final Counter received;
  private final Counter sent;
  private final Counter bytesReceived;
  private final Counter bytesSent;
  private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
  private final AtomicLong receiveBufferBytes = new AtomicLong();
  private final AtomicLong sendBufferBytes = new AtomicLong();
  private final DatagramSocketMetrics vertxMetrics;
  private final Timer eventLoopLag;
  // this socket's own count, where the meters count every instance on the port
  private long receivedHere;

  /** @param vertxMetrics Vert.x's meters of this socket, or null when Vert.x metrics are off */
  public ServerMetrics(MeterRegistry registry, ServerMode mode, int port, DatagramSocketMetrics vertxMetrics) {
    this.registry = registry;
    this.port = port;
    this.vertxMetrics = vertxMetrics;
    this.tags = Tags.of("mode", mode.label(), "port", Integer.toString(port));
    received = counter("udp_server_datagrams_received", "Datagrams received", tags);
    sent = counter("udp_server_datagrams_sent", "Replies the kernel accepted for sending", tags);
    bytesReceived = counter("udp_server_bytes_received", "Payload bytes received", tags);
    bytesSent = counter("udp_server_bytes_sent", "Payload bytes of replies sent", tags);
    for (DropReason reason : DropReason.values()) {
      dropped.put(reason, counter("udp_server_datagrams_dropped", "Datagrams not answered, by reason",
          tags.and("reason", reason.label())));
    }
    KernelMeters.register(registry, tags, port, ProcNetUdp.system());
    eventLoopLag = Timer.builder("udp_server_event_loop_lag")
        .description("How late the socket's event loop ran a task handed to it every " + EventLoopLag.TICK_MICROS
            + " us: time the loop could not serve datagrams")
        .serviceLevelObjectives(LAG_BUCKETS).tags(tags).register(registry);
    gauge("udp_server_socket_receive_buffer_bytes", "SO_RCVBUF the kernel granted", receiveBufferBytes);
    gauge("udp_server_socket_send_buffer_bytes", "SO_SNDBUF the kernel granted", sendBufferBytes);
  }

  /** The first instance on a port registers the gauge; the others (same request, same grant) leave it. */
  private void gauge(String name, String description, AtomicLong value) {
    synchronized (registry) {
      if (registry.find(name).tags(tags).gauge() == null) {
        Gauge.builder(name, value, AtomicLong::doubleValue).description(description).tags(tags).register(registry);
      }
    }
  }

  private Counter counter(String name, String description, Tags counterTags) {
    return Counter.builder(name).description(description).tags(counterTags).register(registry);
  }

  /** The {@code port} label: the bound port. */
  public int port() {
    return port;
  }

  /**
   * Counts {@code datagrams} received with {@code bytes} payload bytes in all: one update of each meter per read
   * batch, not per datagram.
   */
  public void received(long datagrams, long bytes) {
    received.increment(datagrams);
    bytesReceived.increment(bytes);
    // one writer (the event loop), readers anywhere: an opaque store is enough, and costs no fence
    RECEIVED_HERE.setOpaque(this, receivedHere + datagrams);
  }

  /** Counts {@code datagrams} replies the kernel accepted, {@code bytes} payload bytes in all. */
  public void sent(long datagrams, long bytes) {
    sent.increment(datagrams);
    bytesSent.increment(bytes);
  }

  /** Vert.x's {@code vertx_datagram_bytes_read}, a summary whose count is datagrams: one sample per datagram. */
  public void vertxRead(int bytes) {
    if (vertxMetrics != null) {
      vertxMetrics.bytesRead(null, null, bytes);
    }
  }

  /** Vert.x's {@code vertx_datagram_bytes_written}, one sample per datagram sent. */
  public void vertxWritten(int bytes) {
    if (vertxMetrics != null) {
      vertxMetrics.bytesWritten(null, null, bytes);
    }
  }

  /** The socket's event-loop lag meter, shared by the instances on the port. */
  public Timer eventLoopLag() {
    return eventLoopLag;
  }

  public void dropped(DropReason reason) {
    dropped.get(reason).increment();
  }

  /** Counts {@code datagrams} not answered for {@code reason}. */
  public void dropped(DropReason reason, long datagrams) {
    dropped.get(reason).increment(datagrams);
  }

  /** Records the socket buffer sizes the kernel granted. */
  public void grantedBuffers(int receiveBytes, int sendBytes) {
    receiveBufferBytes.set(receiveBytes);
    sendBufferBytes.set(sendBytes);
  }

  /** Datagrams this socket received, readable from any thread; {@link #receivedCount()} is the port's. */
  public long receivedHere() {
    return (long) RECEIVED_HERE.getOpaque(this);
  }

  /** Datagrams every instance on the port received. */
  public long receivedCount() {
    return (long) received.count();
  }

  public long sentCount() {
    return (long) sent.count();
  }

  public long droppedCount() {
    double total = 0;
    for (Counter counter : dropped.values()) {
      total += counter.count();
    }
    return (long) total;
  }

  public long droppedCount(DropReason reason) {
    return (long) dropped.get(reason).count();
  }
}
