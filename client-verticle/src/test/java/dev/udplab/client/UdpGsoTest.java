package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.UdpGso.Mode;
import org.junit.jupiter.api.Test;

class UdpGsoTest {

  @Test
  void auto_segments_only_towards_loopback_where_supported() {
    assertEquals(64, UdpGso.segmentsPerWrite(Mode.AUTO, true, true, 64));
    assertEquals(1, UdpGso.segmentsPerWrite(Mode.AUTO, true, false, 64), "path MTU unknown");
    assertEquals(1, UdpGso.segmentsPerWrite(Mode.AUTO, false, true, 64), "no UDP_SEGMENT");
  }

  @Test
  void one_write_stays_within_one_ip_datagram() {
    assertEquals(46, UdpGso.segmentsPerWrite(Mode.ON, true, false, 1400));
    assertEquals(2, UdpGso.segmentsPerWrite(Mode.ON, true, true, 32753));
    assertEquals(1, UdpGso.segmentsPerWrite(Mode.ON, true, true, 32754));
    assertEquals(1, UdpGso.segmentsPerWrite(Mode.AUTO, true, true, 65507));
  }

  @Test
  void off_never_segments_and_on_where_unsupported_says_why() {
    assertEquals(1, UdpGso.segmentsPerWrite(Mode.OFF, true, true, 64));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> UdpGso.segmentsPerWrite(Mode.ON, false, true, 64));
    assertTrue(e.getMessage().startsWith("--gso on: "), e.getMessage());
  }

  @Test
  void parse_takes_the_three_words_only() {
    assertEquals(Mode.AUTO, UdpGso.parse("auto"));
    assertEquals(Mode.ON, UdpGso.parse("on"));
    assertEquals(Mode.OFF, UdpGso.parse("off"));
    assertThrows(IllegalArgumentException.class, () -> UdpGso.parse("yes"));
  }
}
