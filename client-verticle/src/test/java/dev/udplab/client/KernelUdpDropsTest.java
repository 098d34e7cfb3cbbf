package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelUdpDropsTest {

  private static final String UDP6 = String.join("\n",
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
          + "tm->when retrnsmt   uid  timeout inode ref pointer drops",
      " 1613: 00000000000000000000000000000000:867D 00000000000000000000000000000000:0000 07 00000000:00000000 "
          + "00:00000000 00000000     0        0 270458 2 000000000be1f99e 0",
      " 3569: 0000000000000000FFFF00000100007F:4E21 00000000000000000000000000000000:0000 07 00000000:00061800 "
          + "00:00000000 00000000     0        0 270439 2 000000008309a635 6314",
      " 3570: 0000000000000000FFFF00000100007F:4E22 00000000000000000000000000000000:0000 07 00000000:00061800 "
          + "00:00000000 00000000     0        0 270440 2 000000008309a636 7");

  @Test
  void sums_the_drops_of_the_given_ports() {
    assertEquals(6314, KernelUdpDrops.parse(UDP6, Set.of(0x4E21)));
    assertEquals(6321, KernelUdpDrops.parse(UDP6, Set.of(0x4E21, 0x4E22, 0x867D)));
    assertEquals(0, KernelUdpDrops.parse(UDP6, Set.of(1)));
  }
}
