package dev.udplab.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.Converters;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class UdpGsoTest {

  @Test
  void auto_segments_only_towards_loopback_where_supported() {
    assertEquals(64, UdpGso.segmentsPerWrite(GsoMode.AUTO, true, true, 64));
    assertEquals(1, UdpGso.segmentsPerWrite(GsoMode.AUTO, true, false, 64), "path MTU unknown");
    assertEquals(1, UdpGso.segmentsPerWrite(GsoMode.AUTO, false, true, 64), "no UDP_SEGMENT");
  }

  @Test
  void one_write_stays_within_one_ip_datagram() {
    assertEquals(46, UdpGso.segmentsPerWrite(GsoMode.ON, true, false, 1400));
    assertEquals(2, UdpGso.segmentsPerWrite(GsoMode.ON, true, true, 32753));
    assertEquals(1, UdpGso.segmentsPerWrite(GsoMode.ON, true, true, 32754));
    assertEquals(1, UdpGso.segmentsPerWrite(GsoMode.AUTO, true, true, 65507));
  }

  @Test
  void off_never_segments_and_on_where_unsupported_says_why() {
    assertEquals(1, UdpGso.segmentsPerWrite(GsoMode.OFF, true, true, 64));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> UdpGso.segmentsPerWrite(GsoMode.ON, false, true, 64));
    assertTrue(e.getMessage().startsWith("--gso on: "), e.getMessage());
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
