package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.udplab.common.net.ProcNetUdp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel meters of a port over a recorded {@code /proc} (common's {@code ProcNetUdpTest} covers the parsing):
 * this process's sockets only, summed over instances, read again at every scrape.
 */
class KernelMetersTest {

  /** Port 0x9FFB: two sockets of ours (inodes 16236, 16237, an SO_REUSEPORT pair) and one of another program. */
  static final String UDP6 = """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
       8139: 0000000000000000FFFF00000100007F:9FFB 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 16236 2 00000000c496562d 7
       8139: 0000000000000000FFFF00000100007F:9FFB 00000000000000000000000000000000:0000 07 00000000:0000A280 00:00000000 00000000     0        0 16237 2 000000004158c168 30
       8139: 0000000000000000FFFF00000100007F:9FFB 00000000000000000000000000000000:0000 07 00000000:00000100 00:00000000 00000000  1001        0 20001 2 000000004158c999 1000
      """;

  private static final Tags TAGS = Tags.of("mode", "echo", "port", Integer.toString(0x9FFB));

  private static ProcNetUdp recorded(Path dir) throws Exception {
    Path net = Files.createDirectory(dir.resolve("net"));
    Files.writeString(net.resolve("udp"), UDP6.lines().findFirst().orElseThrow() + "\n");
    Files.writeString(net.resolve("udp6"), UDP6);
    Path fd = Files.createDirectory(dir.resolve("fd"));
    Files.createSymbolicLink(fd.resolve("3"), Path.of("socket:[16236]"));
    Files.createSymbolicLink(fd.resolve("4"), Path.of("socket:[16237]"));
    Files.createSymbolicLink(fd.resolve("5"), Path.of("/dev/null"));
    return new ProcNetUdp(net, fd);
  }

  private static double drops(MeterRegistry registry) {
    return registry.get("udp_server_kernel_drops").tags(TAGS).functionCounter().count();
  }

  private static double queued(MeterRegistry registry) {
    return registry.get("udp_server_receive_queue_bytes").tags(TAGS).gauge().value();
  }

  @Test
  void meters_sum_this_processes_sockets_on_the_port_at_every_scrape(@TempDir Path dir) throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    ProcNetUdp kernel = recorded(dir);
    KernelMeters.register(registry, TAGS, 0x9FFB, kernel);
    assertEquals(37, drops(registry), "inode 20001 on the same port belongs to someone else");
    assertEquals(0xA280, queued(registry));
    // A socket opened later (another event loop's instance) counts from the next scrape on.
    Files.createSymbolicLink(dir.resolve("fd").resolve("7"), Path.of("socket:[20001]"));
    assertEquals(1037, drops(registry));
    assertEquals(0xA380, queued(registry));
  }

  @Test
  void a_second_instance_on_the_port_registers_nothing_more(@TempDir Path dir) throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    ProcNetUdp kernel = recorded(dir);
    KernelMeters.register(registry, TAGS, 0x9FFB, kernel);
    KernelMeters.register(registry, TAGS, 0x9FFB, kernel);
    assertEquals(1, registry.find("udp_server_kernel_drops").functionCounters().size());
    assertEquals(1, registry.find("udp_server_receive_queue_bytes").gauges().size());
    assertEquals(37, drops(registry), "counted once, not once per instance");
  }

  @Test
  void not_linux_means_no_kernel_meters(@TempDir Path dir) {
    MeterRegistry registry = new SimpleMeterRegistry();
    KernelMeters.register(registry, TAGS, 0x9FFB, new ProcNetUdp(dir.resolve("absent"), dir));
    assertNull(registry.find("udp_server_kernel_drops").functionCounter());
    assertNull(registry.find("udp_server_receive_queue_bytes").gauge());
  }
}
