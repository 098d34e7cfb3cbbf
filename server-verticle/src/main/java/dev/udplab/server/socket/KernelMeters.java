package dev.udplab.server.socket;

import dev.udplab.common.net.ProcNetUdp;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * What the kernel counts for one server port and the server never sees: {@code udp_server_kernel_drops_total}
 * (datagrams discarded because a socket's receive buffer was full) and {@code udp_server_receive_queue_bytes}, read
 * from {@code /proc/net/udp[6]} at every scrape and summed over this process's sockets on the port (every
 * {@code --instances} socket).
 */
final class KernelMeters {

  private KernelMeters() {
  }

  /**
   * Registers both meters under {@code tags} unless they are there already (another instance on the port); does
   * nothing where {@code kernel} is not {@link ProcNetUdp#available() available}.
   */
  static void register(MeterRegistry registry, Tags tags, int port, ProcNetUdp kernel) {
    if (!kernel.available()) {
      return;
    }
    synchronized (registry) {
      if (registry.find("udp_server_kernel_drops").tags(tags).functionCounter() != null) {
        return;
      }
      FunctionCounter.builder("udp_server_kernel_drops", kernel, proc -> proc.ownSockets(port).drops())
          .description("Datagrams the kernel dropped at this port's sockets (receive buffer full), from /proc/net/udp")
          .tags(tags).register(registry);
      Gauge.builder("udp_server_receive_queue_bytes", kernel, proc -> proc.ownSockets(port).rxQueueBytes())
          .description("Bytes waiting in this port's socket receive buffers, from /proc/net/udp")
          .tags(tags).register(registry);
    }
  }
}
