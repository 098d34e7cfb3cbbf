package dev.udplab.client.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --bitrate}: payload bits per second as iperf3's {@code -b} writes them, with decimal units ({@code 100M} =
 * 100,000,000 bit/s, {@code 1.5G}, {@code 500K}, {@code 64000}); a bad value ends in exit code 2.
 */
public final class BitRateConverter implements ITypeConverter<Long> {

  /** The highest bitrate: 100 Gbit/s, far beyond what one flood sends. */
  public static final long MAX_BITS_PER_SECOND = 100_000_000_000L;

  private static final Pattern SYNTAX = Pattern.compile("(\\d+(?:\\.\\d+)?)([kKmMgG]?)(?:bit/s|bps)?");

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  /** Parses a bitrate; throws {@link TypeConversionException} in the user's terms. */
  public static long parse(String value) {
    Matcher m = SYNTAX.matcher(value.trim());
    if (!m.matches()) {
      throw new TypeConversionException("'" + value + "' is not a bitrate (examples: 100M, 1.5G, 500K, 64000)");
    }
    long scale;
    switch (m.group(2).toUpperCase(Locale.ROOT)) {
      case "K":
        scale = 1_000L;
        break;
      case "M":
        scale = 1_000_000L;
        break;
      case "G":
        scale = 1_000_000_000L;
        break;
      default:
        scale = 1;
        break;
    }
    BigDecimal bits = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale));
    if (bits.signum() <= 0 || bits.compareTo(BigDecimal.valueOf(MAX_BITS_PER_SECOND)) > 0) {
      throw new TypeConversionException("'" + value + "' is not a bitrate 1..100G");
    }
    return bits.longValue();
  }
}
