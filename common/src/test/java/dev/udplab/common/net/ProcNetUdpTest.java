package dev.udplab.common.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.net.ProcNetUdp.Row;
import dev.udplab.common.net.ProcNetUdp.Totals;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcNetUdpTest {

  // Recorded on Linux 6.x; the header really has a trailing blank run and rows end in spaces.
  static final String UDP = """
         sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
       1877: 0100007F:4E21 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 9937 2 0000000063775a16 0          
       6924: 00000000:9B3C 00000000:0000 07 00000000:00000300 00:00000000 00000000     0        0 16239 2 000000005299e0e6 12         
      """;

  static final String UDP6 = """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
       8139: 0000000000000000FFFF00000100007F:9FFB 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 16236 2 00000000c496562d 7
       8139: 0000000000000000FFFF00000100007F:9FFB 00000000000000000000000000000000:0000 07 00000000:0000A280 00:00000000 00000000     0        0 16237 2 000000004158c168 30
       8139: 0000000000000000FFFF00000100007F:9FFB 00000000000000000000000000000000:0000 07 00000000:00000100 00:00000000 00000000  1001        0 20001 2 000000004158c999 1000
      15870: 00000000000000000000000001000000:BE2E 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9939 2 000000006ac23511 4
       4847: 00000000000000000000000000000000:931F 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9938 2 00000000aec11ec6 0
      """;

  @Test
  void parses_ipv4_rows() throws Exception {
    List<Row> rows = ProcNetUdp.parse(UDP);
    assertEquals(2, rows.size());
    Row first = rows.get(0);
    assertArrayEquals(InetAddress.getByName("127.0.0.1").getAddress(), first.localAddress());
    assertEquals(20001, first.localPort());
    assertEquals(9937, first.inode());
    assertEquals(0, first.drops());
    Row second = rows.get(1);
    assertArrayEquals(new byte[4], second.localAddress());
    assertEquals(0x9B3C, second.localPort());
    assertEquals(0x300, second.rxQueueBytes());
    assertEquals(12, second.drops());
  }

  @Test
  void parses_ipv6_rows_with_little_endian_words() throws Exception {
    List<Row> rows = ProcNetUdp.parse(UDP6);
    assertEquals(5, rows.size());
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0, 1};
    assertArrayEquals(mapped, rows.get(0).localAddress(), "::ffff:127.0.0.1");
    assertArrayEquals(InetAddress.getByName("::1").getAddress(), rows.get(3).localAddress());
    assertArrayEquals(new byte[16], rows.get(4).localAddress());
    assertEquals(0xA280, rows.get(1).rxQueueBytes());
    assertEquals(30, rows.get(1).drops());
    assertEquals(0xBE2E, rows.get(3).localPort());
  }

  @Test
  void sums_our_sockets_on_one_port_and_ignores_other_owners() {
    List<Row> rows = ProcNetUdp.parse(UDP6);
    Totals ours = ProcNetUdp.sum(rows, Set.of(0x9FFB), Set.of(16236L, 16237L, 9939L));
    assertEquals(new Totals(2, 37, 0xA280), ours, "inode 20001 on the same port belongs to someone else");
    assertEquals(new Totals(0, 0, 0), ProcNetUdp.sum(rows, Set.of(1), Set.of(16236L)));
  }

  @Test
  void sums_several_ports_of_ours() {
    List<Row> rows = ProcNetUdp.parse(UDP6);
    assertEquals(new Totals(3, 41, 0xA280), ProcNetUdp.sum(rows, Set.of(0x9FFB, 0xBE2E), Set.of(16236L, 16237L, 9939L)));
  }

  @Test
  void reads_both_tables_matching_inodes_from_the_fd_directory(@TempDir Path dir) throws Exception {
    Path net = Files.createDirectory(dir.resolve("net"));
    Files.writeString(net.resolve("udp"), UDP);
    Files.writeString(net.resolve("udp6"), UDP6);
    Path fd = Files.createDirectory(dir.resolve("fd"));
    Files.createSymbolicLink(fd.resolve("3"), Path.of("socket:[16236]"));
    Files.createSymbolicLink(fd.resolve("4"), Path.of("socket:[16237]"));
    Files.createSymbolicLink(fd.resolve("5"), Path.of("/dev/null"));
    Files.createSymbolicLink(fd.resolve("6"), Path.of("socket:[16239]"));
    ProcNetUdp stats = new ProcNetUdp(net, fd);
    assertTrue(stats.available());
    assertEquals(new Totals(2, 37, 0xA280), stats.ownSockets(0x9FFB));
    assertEquals(new Totals(1, 12, 0x300), stats.ownSockets(0x9B3C), "an IPv4 row of ours");
    assertEquals(new Totals(0, 0, 0), stats.ownSockets(20001), "not ours");
    // A socket opened later (another event loop's instance) is found on the next read.
    Files.createSymbolicLink(fd.resolve("7"), Path.of("socket:[20001]"));
    assertEquals(new Totals(3, 1037, 0xA380), stats.ownSockets(0x9FFB));
  }

  @Test
  void malformed_lines_are_skipped_and_unreadable_tables_count_as_empty(@TempDir Path dir) throws Exception {
    String text = UDP + "   12: ZZZZ0000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0\n"
        + "   13: 0100007F:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 many 2 0 0\n";
    assertEquals(2, ProcNetUdp.parse(text).size());
    Path net = Files.createDirectory(dir.resolve("net"));
    Files.createDirectory(net.resolve("udp")); // exists, but reading it fails
    assertEquals(new Totals(0, 0, 0), new ProcNetUdp(net, dir.resolve("no-fd")).ownSockets(1));
  }

  @Test
  void not_linux_is_reported_as_unavailable(@TempDir Path dir) {
    assertFalse(new ProcNetUdp(dir.resolve("absent"), dir).available());
  }

  @Test
  void finds_a_real_socket_of_this_process() throws Exception {
    ProcNetUdp stats = ProcNetUdp.system();
    org.junit.jupiter.api.Assumptions.assumeTrue(stats.available(), "Linux only");
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Totals totals = stats.ownSockets(socket.getLocalPort());
      assertEquals(1, totals.sockets());
      assertEquals(0, totals.drops());
    }
  }
}
