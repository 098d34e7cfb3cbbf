package dev.udplab.server.mode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponderTest {

  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The reply to {@code request} as bytes, or null for none; checks the contract on the way: the request is neither
   * moved nor released, and the reply is the caller's to release.
   */
  private static byte[] reply(Responder responder, byte[] request) {
    // Read from an offset, as a datagram in a slice of a recvmmsg batch buffer is.
    ByteBuf buffer = ALLOC.directBuffer(request.length + 3).writeBytes(new byte[] {9, 9, 9}).writeBytes(request);
    buffer.readerIndex(3);
    ByteBuf reply = responder.reply(buffer, ALLOC);
    assertEquals(3, buffer.readerIndex(), "the request's indices stay");
    assertEquals(request.length, buffer.readableBytes());
    try {
      if (reply == null) {
        assertEquals(1, buffer.refCnt(), "no reply keeps no reference");
        return null;
      }
      return ByteBufUtil.getBytes(reply);
    } finally {
      if (reply != null) {
        reply.release();
      }
      assertEquals(1, buffer.refCnt(), "the request is still the caller's");
      buffer.release();
    }
  }

  @Test
  void echo_returns_the_request_itself_even_when_empty() {
    ByteBuf request = Unpooled.wrappedBuffer(new byte[] {0, 1, (byte) 0xff});
    ByteBuf reply = Responders.ECHO.reply(request, ALLOC);
    assertSame(request, reply, "no copy");
    assertEquals(2, request.refCnt(), "retained for the send, which releases it");
    reply.release();
    ByteBuf empty = Unpooled.buffer(0);
    assertSame(empty, Responders.ECHO.reply(empty, ALLOC));
    assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, reply(Responders.ECHO, new byte[] {0, 1, (byte) 0xff}));
  }

  @Test
  void uppercase_capitalises_ascii_like_the_lab_server() {
    assertArrayEquals(utf8("HELLO UDP SERVER 123!"), reply(new Responders.Uppercase(), utf8("Hello udp server 123!")));
  }

  @Test
  void uppercase_uses_unicode_rules_with_root_locale_for_valid_utf8() {
    Responders.Uppercase responder = new Responders.Uppercase();
    assertArrayEquals(utf8("ÉCOLE STRASSE ΣΟΦΊΑ"), reply(responder, utf8("école straße σοφία")));
    // Root locale, not Turkish: dotless/dotted i stay in the plain Latin mapping.
    assertArrayEquals(utf8("I"), reply(responder, utf8("i")));
  }

  @Test
  void uppercase_answers_invalid_utf8_with_ascii_letters_upper_cased_and_other_bytes_unchanged() {
    Responders.Uppercase responder = new Responders.Uppercase();
    byte[] request = {'a', (byte) 0xff, 'b', (byte) 0xc0, (byte) 0x80, 'z', (byte) 0xe9, '{'};
    byte[] expected = {'A', (byte) 0xff, 'B', (byte) 0xc0, (byte) 0x80, 'Z', (byte) 0xe9, '{'};
    assertArrayEquals(expected, reply(responder, request));
    // A truncated multi-byte sequence at the end is invalid too.
    assertArrayEquals(new byte[] {'X', (byte) 0xe2, (byte) 0x82}, reply(responder, new byte[] {'x', (byte) 0xe2, (byte) 0x82}));
    // The decoder is reused: a valid request after invalid ones is still upper-cased as text.
    assertArrayEquals(utf8("É"), reply(responder, utf8("é")));
  }

  @Test
  void uppercase_can_triple_a_request_which_the_public_policy_drops_as_amplification() {
    Responder responder = new Responders.Uppercase();
    assertEquals(2, reply(responder, utf8("ß")).length, "ß (2 bytes) becomes SS (2 bytes): no growth");
    assertArrayEquals(utf8("\u0399\u0308\u0301"), reply(responder, utf8("\u0390")), "ΐ: 2 bytes become 6");
    assertEquals(65_502, reply(responder, utf8("\u0390".repeat(10_917))).length, "21,834 bytes become 65,502");
  }

  @Test
  void uppercase_of_empty_is_empty() {
    assertEquals(0, reply(new Responders.Uppercase(), new byte[0]).length);
  }

  @Test
  void greeting_answers_its_text_whatever_the_request() {
    Responders.Greeting responder = new Responders.Greeting("Hello UDP Client");
    assertArrayEquals(utf8("Hello UDP Client"), reply(responder, utf8("Hello UDP Server")));
    assertArrayEquals(utf8("Hello UDP Client"), reply(responder, new byte[0]));
    assertArrayEquals(utf8("grüß dich"), reply(new Responders.Greeting("grüß dich"), new byte[] {1}));
  }

  @Test
  void sink_never_answers() {
    assertNull(reply(Responders.SINK, utf8("Hello, World!")));
    assertNull(reply(Responders.SINK, new byte[0]));
  }

  @Test
  void each_single_socket_mode_makes_its_responder() {
    assertSame(Responders.ECHO, ServerMode.ECHO.newResponder("hi"));
    assertInstanceOf(Responders.Uppercase.class, ServerMode.UPPERCASE.newResponder("hi"));
    assertArrayEquals(utf8("hi"), reply(ServerMode.GREETING.newResponder("hi"), new byte[0]));
    assertSame(Responders.SINK, ServerMode.SINK.newResponder("hi"));
    assertThrows(UnsupportedOperationException.class, () -> ServerMode.ALL.newResponder("hi"));
  }

  @Test
  void modes_have_their_ports_and_all_stands_for_the_four() {
    assertEquals(20001, ServerMode.ECHO.defaultPort());
    assertEquals(12000, ServerMode.UPPERCASE.defaultPort());
    assertEquals(20000, ServerMode.GREETING.defaultPort());
    assertEquals(5005, ServerMode.SINK.defaultPort());
    assertThrows(UnsupportedOperationException.class, ServerMode.ALL::defaultPort);
    assertEquals(java.util.List.of(ServerMode.ECHO, ServerMode.UPPERCASE, ServerMode.GREETING, ServerMode.SINK),
        ServerMode.ALL.sockets());
    assertEquals("uppercase", ServerMode.UPPERCASE.toString());
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
      assertEquals(input.toUpperCase(java.util.Locale.ROOT), Responders.Uppercase.upperCase(input));
    }
    String edge = "z".repeat(Responders.Uppercase.CHUNK_CHARS - 1) + "\uD801\uDC28";
    assertEquals(edge.toUpperCase(java.util.Locale.ROOT), Responders.Uppercase.upperCase(edge));
  }

  @Test
  void uppercase_of_the_largest_expanding_datagram_is_exact() {
    byte[] request = utf8("\u0149".repeat(32753));
    assertEquals(65506, request.length);
    byte[] reply = reply(new Responders.Uppercase(), request);
    assertArrayEquals(utf8("\u02BCN".repeat(32753)), reply);
    assertEquals(98259, reply.length);
  }
}
