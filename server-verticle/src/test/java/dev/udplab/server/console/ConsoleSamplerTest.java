package dev.udplab.server.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSamplerTest {

  /** A sender as the socket hands it over: a resolved address (an IP literal, so no lookup). */
  private static InetSocketAddress from(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void prints_each_datagram_with_its_sender_while_under_the_budget() {
    ConsoleSampler sampler = new ConsoleSampler("greeting", 3);
    List<String> lines = new ArrayList<>();
    sampler.record(from("127.0.0.1", 48910), utf8("Hello UDP Server"));
    sampler.flush(lines::add);
    sampler.record(from("127.0.0.1", 48911), utf8("again"));
    sampler.endSecond(lines::add);
    assertEquals(List.of(
        "greeting from 127.0.0.1:48910 (16 bytes): Hello UDP Server",
        "greeting from 127.0.0.1:48911 (5 bytes): again"), lines);
  }

  @Test
  void folds_what_is_over_the_budget_into_one_summary_line_per_second() {
    ConsoleSampler sampler = new ConsoleSampler("echo", 2);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 15236; i++) {
      sampler.record(from("127.0.0.1", 40000), utf8(Integer.toString(i)));
    }
    sampler.endSecond(lines::add);
    assertEquals(List.of(
        "echo from 127.0.0.1:40000 (1 bytes): 0",
        "echo from 127.0.0.1:40000 (1 bytes): 1",
        "echo \u2026 15234 more datagrams from 1 client in the last second"), lines);
  }

  @Test
  void budget_counts_lines_already_flushed_this_second_and_resets_each_second() {
    ConsoleSampler sampler = new ConsoleSampler("sink", 2);
    List<String> lines = new ArrayList<>();
    sampler.record(from("10.0.0.1", 1), utf8("a"));
    sampler.flush(lines::add);
    sampler.record(from("10.0.0.2", 2), utf8("b"));
    sampler.record(from("10.0.0.3", 3), utf8("c"));
    sampler.record(from("10.0.0.3", 4), utf8("d"));
    sampler.record(from("10.0.0.3", 4), utf8("e"));
    sampler.endSecond(lines::add);
    assertEquals(List.of(
        "sink from 10.0.0.1:1 (1 bytes): a",
        "sink from 10.0.0.2:2 (1 bytes): b",
        "sink \u2026 3 more datagrams from 2 clients in the last second"), lines);
    lines.clear();
    sampler.endSecond(lines::add);
    assertEquals(List.of(), lines, "a quiet second prints nothing");
    sampler.record(from("10.0.0.4", 5), utf8("f"));
    sampler.record(from("10.0.0.4", 5), utf8("g"));
    sampler.record(from("10.0.0.4", 5), utf8("h"));
    sampler.endSecond(lines::add);
    assertEquals(List.of(
        "sink from 10.0.0.4:5 (1 bytes): f",
        "sink from 10.0.0.4:5 (1 bytes): g",
        "sink \u2026 1 more datagram from 1 client in the last second"), lines);
  }

  @Test
  void renders_text_control_characters_and_invalid_utf8_on_one_line() {
    ConsoleSampler sampler = new ConsoleSampler("x", 1);
    assertEquals("Hello, World!", sampler.render(utf8("Hello, World!")));
    assertEquals("grüß\\n\\tend\\r\\x00\\\\", sampler.render(utf8("grüß\n\tend\r\0\\")));
    assertEquals("a\\xffb\\xc0\\x80", sampler.render(new byte[] {'a', (byte) 0xff, 'b', (byte) 0xc0, (byte) 0x80}));
    assertEquals("", sampler.render(new byte[0]));
    // bidi controls, separators and other format characters could forge what a terminal shows
    assertEquals("evil\\u202etxt.exe\\u202c ok", sampler.render(utf8("evil\u202etxt.exe\u202c ok")));
    assertEquals("a\\u2028b\\u2029c", sampler.render(utf8("a\u2028b\u2029c")));
    assertEquals("\\u202a\\u202b\\u202d\\u2066\\u2067\\u2068\\u2069\\u200b\\u200e\\ufeff\\xad",
        sampler.render(utf8("\u202a\u202b\u202d\u2066\u2067\u2068\u2069\u200b\u200e\ufeff\u00ad")));
    assertEquals("tag\\u{e0041} \uD83D\uDE00 \\x85", sampler.render(utf8("tag\uDB40\uDC41 \uD83D\uDE00 \u0085")),
        "a tag character escaped, an emoji shown, a C1 control escaped");
    String longText = "y".repeat(ConsoleSampler.MAX_TEXT_CHARS + 1);
    assertEquals("y".repeat(ConsoleSampler.MAX_TEXT_CHARS) + "\u2026", sampler.render(utf8(longText)));
    assertEquals("y".repeat(ConsoleSampler.MAX_TEXT_CHARS), sampler.render(utf8(longText.substring(1))));
  }

  @Test
  void ticks_flush_samples_and_close_the_second_every_tenth_tick() {
    ConsoleSampler sampler = new ConsoleSampler("echo", 1);
    List<String> lines = new ArrayList<>();
    sampler.record(from("127.0.0.1", 9), utf8("first"));
    sampler.record(from("127.0.0.1", 9), utf8("second"));
    sampler.tick(lines::add);
    assertEquals(List.of("echo from 127.0.0.1:9 (5 bytes): first"), lines);
    for (int i = 2; i < 10; i++) {
      sampler.tick(lines::add);
    }
    assertEquals(1, lines.size(), "the summary waits for the end of the second");
    sampler.tick(lines::add);
    assertEquals("echo \u2026 1 more datagram from 1 client in the last second", lines.get(1));
  }

  @Test
  void addresses_are_shown_as_people_write_them() throws UnknownHostException {
    ConsoleSampler sampler = new ConsoleSampler("echo", 4);
    List<String> lines = new ArrayList<>();
    sampler.record(from("127.0.0.1", 5005), utf8("a"));
    sampler.record(new InetSocketAddress(InetAddress.getByName("0:0:0:0:0:0:0:1%0"), 37967), utf8("b"));
    sampler.record(new InetSocketAddress(InetAddress.getByName("fe80:0:0:0:0:0:0:1%2"), 1), utf8("c"));
    sampler.record(from("2001:db8:0:0:0:0:0:5", 9), utf8("d"));
    sampler.flush(lines::add);
    assertEquals(List.of(
        "echo from 127.0.0.1:5005 (1 bytes): a",
        "echo from [::1]:37967 (1 bytes): b",
        "echo from [fe80::1%2]:1 (1 bytes): c",
        "echo from [2001:db8::5]:9 (1 bytes): d"), lines);
  }

  @Test
  void folded_clients_are_told_apart_by_address_and_port() {
    ConsoleSampler sampler = new ConsoleSampler("echo", 1);
    List<String> lines = new ArrayList<>();
    sampler.record(from("127.0.0.1", 1), utf8("shown"));
    sampler.record(from("127.0.0.1", 1), null);
    sampler.record(from("127.0.0.1", 2), null);
    sampler.record(from("::1", 1), null);
    sampler.record(from("::1", 1), null);
    sampler.endSecond(lines::add);
    assertEquals("echo \u2026 4 more datagrams from 3 clients in the last second", lines.get(1));
  }
}
