package dev.udplab.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code udp_server_*} meters of one server socket, labelled {@code mode} and {@code port} only.
 * Several instances on one port register the same ids and so share, and sum into, the same meters.
 * Every dropped datagram is counted through {@link #dropped(DropReason)}.
 */
public final class ServerMetrics {
  private final Mode mode;
  private final int port;
  private final Tags tags;
  private final MeterRegistry registry;
  private final Counter received;
  private final Counter sent;
  private final Counter bytesReceived;
  private final Counter bytesSent;
  private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
  private final AtomicLong receiveBufferBytes = new AtomicLong();
  private final AtomicLong sendBufferBytes = new AtomicLong();

  public ServerMetrics(MeterRegistry registry, Mode mode, int port) {
    this.registry = registry;
    this.mode = mode;
    this.port = port;
    this.tags = Tags.of("mode", mode.label(), "port", Integer.toString(port));
    received = counter("udp_server_datagrams_received", "Datagrams received", tags);
    sent = counter("udp_server_datagrams_sent", "Replies the kernel accepted for sending", tags);
    bytesReceived = counter("udp_server_bytes_received", "Payload bytes received", tags);
    bytesSent = counter("udp_server_bytes_sent", "Payload bytes of replies sent", tags);
    for (DropReason reason : DropReason.values()) {
      dropped.put(reason, counter("udp_server_datagrams_dropped", "Datagrams not answered, by reason",
          tags.and("reason", reason.label())));
    }
    KernelSocketStats kernel = KernelSocketStats.system();
    synchronized (registry) {
      // The first instance on a port registers them; each read sums all our sockets on that port.
      if (kernel.available() && registry.find("udp_server_kernel_drops").tags(tags).functionCounter() == null) {
        FunctionCounter.builder("udp_server_kernel_drops", kernel, stats -> stats.read(port).drops())
            .description("Datagrams the kernel dropped at this port's sockets (receive buffer full), from /proc/net/udp")
            .tags(tags).register(registry);
        Gauge.builder("udp_server_receive_queue_bytes", kernel, stats -> stats.read(port).rxQueueBytes())
            .description("Bytes waiting in this port's socket receive buffers, from /proc/net/udp")
            .tags(tags).register(registry);
      }
    }
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

  /** The registry these meters live in, for meters added next to them (same labels: {@link #tags()}). */
  public MeterRegistry registry() {
    return registry;
  }

  /** The {@code mode} and {@code port} labels every meter of this socket carries. */
  public Tags tags() {
    return tags;
  }

  /** The {@code mode} label. */
  public Mode mode() {
    return mode;
  }

  /** The {@code port} label: the bound port. */
  public int port() {
    return port;
  }

  public void received(int bytes) {
    received.increment();
    bytesReceived.increment(bytes);
  }

  public void sent(int bytes) {
    sent.increment();
    bytesSent.increment(bytes);
  }

  public void dropped(DropReason reason) {
    dropped.get(reason).increment();
  }

  /** Records the socket buffer sizes the kernel granted. */
  public void grantedBuffers(int receiveBytes, int sendBytes) {
    receiveBufferBytes.set(receiveBytes);
    sendBufferBytes.set(sendBytes);
  }

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
