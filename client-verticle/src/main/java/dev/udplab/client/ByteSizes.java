package dev.udplab.client;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one byte-size syntax of the client: plain bytes ({@code 212992}) or a binary multiple with {@code K},
 * {@code M} or {@code G} ({@code 8K} = 8192, {@code 208K}, {@code 4M}), an optional trailing {@code B} or
 * {@code iB} allowed. Sizes are positive and fit an int (socket options are ints).
 */
public final class ByteSizes {

  private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s*(?:([kKmMgG])(?:i?[bB])?|[bB])?");

  private ByteSizes() {
  }

  /**
   * Parses a byte size.
   *
   * @throws IllegalArgumentException with a message fit for one stderr line
   */
  public static int parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    Matcher m = SYNTAX.matcher(trimmed);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a byte size (examples: 65536, 8K, 208K, 4M)");
    }
    long multiplier = 1;
    if (m.group(2) != null) {
      switch (Character.toUpperCase(m.group(2).charAt(0))) {
        case 'K':
          multiplier = 1L << 10;
          break;
        case 'M':
          multiplier = 1L << 20;
          break;
        default:
          multiplier = 1L << 30;
          break;
      }
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
    } catch (NumberFormatException | ArithmeticException e) {
      bytes = Long.MAX_VALUE;
    }
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("byte size '" + text + "' is too large (at most 2047M)");
    }
    if (bytes <= 0) {
      throw new IllegalArgumentException("byte size '" + text + "' must be positive");
    }
    return (int) bytes;
  }
}
