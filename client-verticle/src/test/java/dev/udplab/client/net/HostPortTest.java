package dev.udplab.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.cli.HostPortConverter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class HostPortTest {

  @Test
  void parses_ipv4_literals() {
    HostPort target = HostPort.parse("127.0.0.1:20001");
    assertEquals("127.0.0.1:20001", target.label());
    assertEquals("127.0.0.1", target.ip());
    assertEquals(20001, target.port());
    assertFalse(target.isIpv6());
    assertEquals("127.0.0.1", target.bindHost());
    assertEquals("127.0.0.1:20001", target.display());
  }

  @Test
  void parses_bracketed_ipv6_literals() {
    HostPort target = HostPort.parse("[::1]:20001");
    assertEquals("[::1]:20001", target.label());
    assertTrue(target.isIpv6());
    assertEquals("::1", target.bindHost());
    assertEquals(20001, target.port());
    assertTrue(target.isSource(target.ip(), 20001));
    assertFalse(target.isSource(target.ip(), 20002));
  }

  @Test
  void resolves_names_once_and_keeps_the_label_as_given() {
    HostPort target = HostPort.parse("localhost:12000");
    assertEquals("localhost:12000", target.label());
    assertTrue(target.address().isLoopbackAddress());
    assertTrue(target.display().startsWith("localhost:12000 ("), target.display());
  }

  @Test
  void checks_the_source_address_and_port() {
    HostPort target = HostPort.parse("127.0.0.1:20001");
    assertTrue(target.isSource("127.0.0.1", 20001));
    assertFalse(target.isSource("127.0.0.1", 20000));
    assertFalse(target.isSource("127.0.0.2", 20001));
  }

  @Test
  void accepts_every_spelling_of_an_ipv6_source() {
    HostPort target = HostPort.parse("[::1]:20001");
    assertTrue(target.isSource("0:0:0:0:0:0:0:1", 20001));
    assertTrue(target.isSource("0:0:0:0:0:0:0:1%0", 20001));
    assertTrue(target.isSource("::1", 20001));
    assertTrue(target.isSource("::1%lo", 20001));
    assertFalse(target.isSource("::2", 20001));
    assertFalse(target.isSource("::1", 20002));
    assertFalse(target.isSource("127.0.0.1", 20001));
  }

  @Test
  void binds_the_wildcard_for_remote_targets() {
    assertEquals("0.0.0.0", HostPort.parse("192.0.2.7:9").bindHost());
    assertEquals("::", HostPort.parse("[2001:db8::1]:9").bindHost());
  }

  @Test
  void rejects_malformed_targets() {
    String[] bad = {"", "127.0.0.1", "127.0.0.1:", ":20001", "127.0.0.1:0", "127.0.0.1:70000",
        "127.0.0.1:-1", "127.0.0.1:2x", "::1:20001", "[::1]20001", "[::1", "[]:5", "[127.0.0.1]:5",
        "no-such-host.invalid:5", "127.0.0.1:123456"};
    for (String text : bad) {
      assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text), text);
    }
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> HostPort.parse("127.0.0.1:70000"));
    assertTrue(range.getMessage().contains("out of range 1..65535"), range.getMessage());
    assertThrows(TypeConversionException.class, () -> new HostPortConverter().convert("x"));
  }
}
