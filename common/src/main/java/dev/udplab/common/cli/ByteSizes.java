package dev.udplab.common.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one byte-size syntax of both jars: plain bytes ({@code 212992}) or a binary multiple with {@code K},
 * {@code M} or {@code G} ({@code 8K} = 8192, {@code 208K}, {@code 4M}, {@code 1G}), case-insensitive, an optional
 * trailing {@code B} or {@code iB}. Sizes are positive and at most {@link #MAX_BYTES}.
 */
public final class ByteSizes {

  /** The largest size accepted anywhere: 1 GiB (Linux caps socket buffers at net.core.[rw]mem_max anyway). */
  public static final int MAX_BYTES = 1 << 30;

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
      throw new IllegalArgumentException("'" + text + "' is not a byte size (examples: 65536, 64K, 4M, 1G)");
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
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException("'" + text + "' is too large (at most 1G)");
    }
    if (bytes <= 0) {
      throw new IllegalArgumentException("'" + text + "' must be at least 1 byte");
    }
    return (int) bytes;
  }

  /** A size in the same syntax, with the largest unit that keeps it whole ({@code 4M}, {@code 208K}, {@code 1000}). */
  public static String format(long bytes) {
    if (bytes > 0 && bytes % (1L << 30) == 0) {
      return bytes / (1L << 30) + "G";
    }
    if (bytes > 0 && bytes % (1L << 20) == 0) {
      return bytes / (1L << 20) + "M";
    }
    if (bytes > 0 && bytes % (1L << 10) == 0) {
      return bytes / (1L << 10) + "K";
    }
    return Long.toString(bytes);
  }
}
