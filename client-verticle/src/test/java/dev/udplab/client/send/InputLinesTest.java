package dev.udplab.client.send;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputLinesTest {

  private final List<String> lines = new ArrayList<>();
  private final List<Long> oversized = new ArrayList<>();

  private void read(String input, int max) throws IOException {
    InputLines.read(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), max, lines::add, oversized::add);
  }

  @Test
  void splits_like_a_buffered_reader_on_lf_and_crlf() throws IOException {
    read("1\n2\r\n\nstraße\nlast", 100);
    assertEquals(List.of("1", "2", "", "straße", "last"), lines);
    assertEquals(List.of(), oversized);
  }

  @Test
  void a_line_over_the_limit_is_counted_and_skipped_and_the_next_one_read() throws IOException {
    read("12345\n123456\r\n1234567\nok\n" + "x".repeat(10_000) + "\n" + "y".repeat(7), 5);
    assertEquals(List.of("12345", "ok"), lines);
    assertEquals(List.of(6L, 7L, 10_000L, 7L), oversized);
  }

  @Test
  void the_limit_counts_utf8_bytes() throws IOException {
    read("ßß\nßßß\n", 5); // 4 bytes, then 6
    assertEquals(List.of("ßß"), lines);
    assertEquals(List.of(6L), oversized);
  }

  @Test
  void a_300_mb_line_costs_no_more_than_a_datagram() throws IOException {
    long huge = 300L * 1024 * 1024;
    InputStream input = new InputStream() {
      private long position;

      @Override
      public int read() {
        throw new UnsupportedOperationException("read in chunks");
      }

      @Override
      public int read(byte[] b, int off, int len) {
        String tail = "\nafter\n";
        if (position >= huge + tail.length()) {
          return -1;
        }
        int n = 0;
        for (; n < len && position < huge + tail.length(); n++, position++) {
          b[off + n] = position < huge ? (byte) 'x' : (byte) tail.charAt((int) (position - huge));
        }
        return n;
      }
    };
    InputLines.read(input, 65_507, lines::add, oversized::add);
    assertEquals(List.of("after"), lines);
    assertEquals(List.of(huge), oversized);
  }
}
