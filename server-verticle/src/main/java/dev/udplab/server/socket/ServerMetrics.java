package dev.udplab.server.socket;

import dev.udplab.common.net.ProcNetUdp;
import dev.udplab.server.guard.DropReason;
import dev.udplab.server.mode.ServerMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one server socket counts into: the {@code udp_server_*} meters of its port, labelled {@code mode} and
 * {@code port} only, with the {@link KernelMeters} beside them; Vert.x's own {@code vertx_datagram_*} meters of the
 * socket; and the socket's own received count. Several instances on one port register the same ids and so share,
 * and sum into, the same {@code udp_server_*} meters. Every dropped datagram is counted through
 * {@link #dropped(DropReason)}. The counting methods run on the socket's event loop.
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

  public void received(int bytes) {
    received.increment();
    bytesReceived.increment(bytes);
    // one writer (the event loop), readers anywhere: an opaque store is enough, and costs no fence per datagram
    RECEIVED_HERE.setOpaque(this, receivedHere + 1);
    if (vertxMetrics != null) {
      vertxMetrics.bytesRead(null, null, bytes);
    }
  }

  public void sent(int bytes) {
    sent.increment();
    bytesSent.increment(bytes);
    if (vertxMetrics != null) {
      vertxMetrics.bytesWritten(null, null, bytes);
    }
  }

  public void dropped(DropReason reason) {
    dropped.get(reason).increment();
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
