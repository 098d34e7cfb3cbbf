package dev.udplab.common.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of both jars: a non-negative decimal number with a unit, {@code us} (or {@code µs}),
 * {@code ms}, {@code s}, {@code m} or {@code h} ({@code 250us}, {@code 500ms}, {@code 1.5s}, {@code 1m}); a bare
 * number means seconds, as in iperf3's {@code -t 10}.
 */
public final class Durations {

  private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)([a-zA-Zµ]*)");

  private Durations() {
  }

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException with a message fit for one stderr line when the text is not a duration
   */
  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    Matcher m = SYNTAX.matcher(trimmed);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 250us, 500ms, 1.5s, 10, 1m)");
    }
    BigDecimal number = new BigDecimal(m.group(1));
    long nanosPerUnit;
    switch (m.group(2)) {
      case "us":
      case "µs":
        nanosPerUnit = 1_000L;
        break;
      case "ms":
        nanosPerUnit = 1_000_000L;
        break;
      case "":
      case "s":
        nanosPerUnit = 1_000_000_000L;
        break;
      case "m":
        nanosPerUnit = 60_000_000_000L;
        break;
      case "h":
        nanosPerUnit = 3_600_000_000_000L;
        break;
      default:
        throw new IllegalArgumentException(
            "unknown unit '" + m.group(2) + "' in duration '" + text + "' (use us, ms, s, m or h)");
    }
    BigDecimal nanos = number.multiply(BigDecimal.valueOf(nanosPerUnit));
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("duration '" + text + "' is too long");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /**
   * Whether {@code duration} is a whole number of milliseconds: what an option fed to a Vert.x timer (which counts
   * milliseconds) may take without being silently rounded.
   */
  public static boolean wholeMillis(Duration duration) {
    return duration.toNanos() % 1_000_000L == 0;
  }

  /** Formats a duration back in the same syntax, with the largest unit that keeps it whole. */
  public static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    if (nanos % 60_000_000_000L == 0) {
      return nanos / 60_000_000_000L + "m";
    }
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }
}
