package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponderTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void echo_returns_the_request_itself_even_when_empty() {
    byte[] request = {0, 1, (byte) 0xff};
    assertSame(request, new EchoResponder().reply(request));
    byte[] empty = new byte[0];
    assertSame(empty, new EchoResponder().reply(empty));
  }

  @Test
  void uppercase_capitalises_ascii_like_the_lab_server() {
    assertArrayEquals(utf8("HELLO UDP SERVER 123!"), new UppercaseResponder().reply(utf8("Hello udp server 123!")));
  }

  @Test
  void uppercase_uses_unicode_rules_with_root_locale_for_valid_utf8() {
    UppercaseResponder responder = new UppercaseResponder();
    assertArrayEquals(utf8("ÉCOLE STRASSE ΣΟΦΊΑ"), responder.reply(utf8("école straße σοφία")));
    // Root locale, not Turkish: dotless/dotted i stay in the plain Latin mapping.
    assertArrayEquals(utf8("I"), responder.reply(utf8("i")));
  }

  @Test
  void uppercase_answers_invalid_utf8_with_ascii_letters_upper_cased_and_other_bytes_unchanged() {
    UppercaseResponder responder = new UppercaseResponder();
    byte[] request = {'a', (byte) 0xff, 'b', (byte) 0xc0, (byte) 0x80, 'z', (byte) 0xe9, '{'};
    byte[] expected = {'A', (byte) 0xff, 'B', (byte) 0xc0, (byte) 0x80, 'Z', (byte) 0xe9, '{'};
    assertArrayEquals(expected, responder.reply(request));
    // A truncated multi-byte sequence at the end is invalid too.
    assertArrayEquals(new byte[] {'X', (byte) 0xe2, (byte) 0x82}, responder.reply(new byte[] {'x', (byte) 0xe2, (byte) 0x82}));
    // The decoder is reused: a valid request after invalid ones is still upper-cased as text.
    assertArrayEquals(utf8("É"), responder.reply(utf8("é")));
  }

  @Test
  void uppercase_of_empty_is_empty() {
    assertEquals(0, new UppercaseResponder().reply(new byte[0]).length);
  }

  @Test
  void greeting_answers_its_text_whatever_the_request() {
    GreetingResponder responder = new GreetingResponder("Hello UDP Client");
    assertArrayEquals(utf8("Hello UDP Client"), responder.reply(utf8("Hello UDP Server")));
    assertArrayEquals(utf8("Hello UDP Client"), responder.reply(new byte[0]));
    assertArrayEquals(utf8("grüß dich"), new GreetingResponder("grüß dich").reply(new byte[] {1}));
  }

  @Test
  void sink_never_answers() {
    assertNull(new SinkResponder().reply(utf8("Hello, World!")));
    assertNull(new SinkResponder().reply(new byte[0]));
  }

  @Test
  void for_mode_builds_the_responder_of_each_single_socket_mode() {
    ServerOptions options = new ServerOptions().setMessage("hi");
    assertInstanceOf(EchoResponder.class, Responder.forMode(Mode.ECHO, options));
    assertInstanceOf(UppercaseResponder.class, Responder.forMode(Mode.UPPERCASE, options));
    assertArrayEquals(utf8("hi"), Responder.forMode(Mode.GREETING, options).reply(new byte[0]));
    assertInstanceOf(SinkResponder.class, Responder.forMode(Mode.SINK, options));
    assertThrows(IllegalArgumentException.class, () -> Responder.forMode(Mode.ALL, options));
  }

  @Test
  void uppercase_in_chunks_equals_the_jdk_including_expansions_and_pairs_across_chunk_edges() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      // U+0149 -> 2 chars, ß -> SS, U+10428 (a surrogate pair) -> U+10400, at shifting offsets.
      text.append("a\u0149ß\uD801\uDC28é".repeat(i % 7 + 1)).append("x".repeat(i % 3));
    }
    for (int offset = 0; offset < 4; offset++) {
      String input = "y".repeat(offset) + text;
      assertEquals(input.toUpperCase(java.util.Locale.ROOT), UppercaseResponder.upperCase(input));
    }
    String edge = "z".repeat(UppercaseResponder.CHUNK_CHARS - 1) + "\uD801\uDC28";
    assertEquals(edge.toUpperCase(java.util.Locale.ROOT), UppercaseResponder.upperCase(edge));
  }

  @Test
  void uppercase_of_the_largest_expanding_datagram_is_exact() {
    byte[] request = utf8("\u0149".repeat(32753));
    assertEquals(65506, request.length);
    byte[] reply = new UppercaseResponder().reply(request);
    assertArrayEquals(utf8("\u02BCN".repeat(32753)), reply);
    assertEquals(98259, reply.length);
  }
}
