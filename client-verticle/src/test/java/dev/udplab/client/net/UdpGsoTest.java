package dev.udplab.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.Converters;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class UdpGsoTest {

  private static final HostPort V4 = HostPort.parse("127.0.0.1:20001");
  private static final HostPort V6 = HostPort.parse("[::1]:20001");

  private static int segments(GsoMode mode, boolean supported, int pathMtu, HostPort target, int size) {
    return UdpGso.decide(mode, supported, pathMtu, target, size).segmentsPerWrite();
  }

  @Test
  void auto_segments_where_the_datagrams_fit_the_path_mtu() {
    assertEquals(64, segments(GsoMode.AUTO, true, 65535, V4, 64), "loopback");
    assertEquals(44, segments(GsoMode.AUTO, true, 1500, V4, 1472), "a 1500-byte link, full-size datagrams");
    assertEquals(1, segments(GsoMode.AUTO, true, 1500, V4, 1473));
    assertEquals(1, segments(GsoMode.AUTO, true, 1500, V6, 1453), "IPv6 headers are 20 bytes longer");
    assertEquals(45, segments(GsoMode.AUTO, true, 1500, V6, 1452));
    assertEquals(1, segments(GsoMode.AUTO, true, -1, V4, 64), "path MTU unknown");
    assertEquals(1, segments(GsoMode.AUTO, false, 65535, V4, 64), "no UDP_SEGMENT");
  }

  @Test
  void auto_says_in_the_header_why_it_sends_without_gso() {
    UdpGso.Decision big = UdpGso.decide(GsoMode.AUTO, true, 1500, V4, 2000);
    assertEquals("GSO off: a --size 2000 datagram is a 2028-byte packet, more than the path MTU 1500 to "
        + "127.0.0.1:20001; each datagram goes whole and the IP layer fragments it", big.note());
    assertNull(UdpGso.decide(GsoMode.AUTO, true, 1500, V4, 1472).note());
    assertNull(UdpGso.decide(GsoMode.AUTO, false, 1500, V4, 64).note(), "no GSO here at all: nothing to explain");
  }

  @Test
  void one_write_stays_within_one_ip_datagram() {
    assertEquals(46, segments(GsoMode.ON, true, 65535, V4, 1400));
    assertEquals(2, segments(GsoMode.ON, true, 65535, V4, 32753));
    assertEquals(1, segments(GsoMode.ON, true, 65535, V4, 32754));
    assertEquals(1, segments(GsoMode.AUTO, true, 65535, V4, 65507));
    assertEquals(64, segments(GsoMode.ON, true, -1, V4, 64), "on: the user's word where the path does not say");
  }

  @Test
  void off_never_segments_and_on_refuses_what_cannot_work() {
    assertEquals(1, segments(GsoMode.OFF, true, 65535, V4, 64));
    IllegalStateException unsupported = assertThrows(IllegalStateException.class,
        () -> UdpGso.decide(GsoMode.ON, false, 65535, V4, 64));
    assertTrue(unsupported.getMessage().startsWith("--gso on: "), unsupported.getMessage());
    IllegalStateException tooBig = assertThrows(IllegalStateException.class,
        () -> UdpGso.decide(GsoMode.ON, true, 1500, V4, 2000));
    assertTrue(tooBig.getMessage().contains("use --size 1472 or less"), tooBig.getMessage());
  }

  @Test
  void the_option_takes_the_three_words_only_in_any_case() {
    Converters.EnumValue<GsoMode> gso = new Converters.EnumValue<>(GsoMode.class);
    assertEquals(GsoMode.AUTO, gso.convert("auto"));
    assertEquals(GsoMode.ON, gso.convert("on"));
    assertEquals(GsoMode.OFF, gso.convert("off"));
    assertEquals(GsoMode.AUTO, gso.convert("AUTO"));
    assertEquals("'yes' is not one of auto, on, off",
        assertThrows(TypeConversionException.class, () -> gso.convert("yes")).getMessage());
    assertEquals("auto", GsoMode.AUTO.toString(), "--help shows the default as it is typed");
  }
}
