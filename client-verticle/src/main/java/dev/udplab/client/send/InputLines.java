package dev.udplab.client.send;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Splits standard input into lines (ended by {@code \n}, {@code \r\n} or the end of input) without ever holding more
 * than one datagram's worth of a line: a longer line is counted while it is skipped, not read into memory. A
 * {@code BufferedReader} reads a whole line first, so one 300 MB line cost 1.6 GB of heap, and at a small heap an
 * OutOfMemoryError ended the reading thread with exit 0. Bytes are decoded as UTF-8 (malformed ones as U+FFFD), line
 * by line.
 */
public final class InputLines {

  private static final int READ_BYTES = 64 * 1024;

  private InputLines() {
  }

  /**
   * Reads {@code in} to its end.
   *
   * @param maxLineBytes longest line passed on, in UTF-8 bytes without its line end
   * @param line         each line that fits
   * @param oversized    the length in bytes of each line that did not, once its end was reached
   */
  public static void read(InputStream in, int maxLineBytes, Consumer<String> line, LongConsumer oversized)
      throws IOException {
    byte[] chunk = new byte[READ_BYTES];
    byte[] current = new byte[Math.min(maxLineBytes, 4096) + 1];
    int length = 0;
    long skipped = -1; // bytes of an oversized line so far, -1 while the line fits
    boolean pending = false; // a line has begun
    for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
      for (int i = 0; i < n; i++) {
        byte b = chunk[i];
        if (b == '\n') {
          if (skipped >= 0) {
            oversized.accept(skipped - (skipped > 0 && lastWasCr(current, length) ? 1 : 0));
          } else {
            int end = lastWasCr(current, length) ? length - 1 : length;
            if (end > maxLineBytes) {
              oversized.accept(end);
            } else {
              line.accept(new String(current, 0, end, StandardCharsets.UTF_8));
            }
          }
          length = 0;
          skipped = -1;
          pending = false;
          continue;
        }
        pending = true;
        if (skipped >= 0) {
          skipped++;
          current[0] = b; // remember only whether the last byte was a CR
          length = 1;
          continue;
        }
        if (length == maxLineBytes + 1) { // one byte for a CR that may end the line
          skipped = length + 1L;
          current[0] = b;
          length = 1;
          continue;
        }
        if (length == current.length) {
          current = Arrays.copyOf(current, Math.min(maxLineBytes + 1, current.length * 2));
        }
        current[length++] = b;
      }
    }
    if (pending) {
      if (skipped >= 0 || length > maxLineBytes) {
        oversized.accept(skipped >= 0 ? skipped : length);
      } else {
        line.accept(new String(current, 0, length, StandardCharsets.UTF_8));
      }
    }
  }

  private static boolean lastWasCr(byte[] current, int length) {
    return length > 0 && current[length - 1] == '\r';
  }
}
