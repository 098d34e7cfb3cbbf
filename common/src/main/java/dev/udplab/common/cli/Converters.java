package dev.udplab.common.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The picocli converters of the one grammar: byte sizes, durations, ports, enums and plain numbers, each refusing a
 * bad value with a message in the user's terms (never "is not a long"). A bad value ends in exit code 2.
 */
public final class Converters {

  /** The largest port number. */
  public static final int MAX_PORT = 65_535;

  private Converters() {
  }

  /** {@link ByteSizes} syntax: {@code 65536}, {@code 64K}, {@code 4M}, {@code 1G}. */
  public static final class ByteSize implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        return ByteSizes.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@link Durations} syntax: {@code 250us}, {@code 500ms}, {@code 1.5s}, {@code 10} (seconds), {@code 1m}. */
  public static final class DurationValue implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A port, 0 (any free port, or off where the option says so) to 65535. */
  public static final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      long port = wholeNumber(value, "a port number 0.." + MAX_PORT);
      if (port < 0 || port > MAX_PORT) {
        throw new TypeConversionException(value.trim() + " is out of range 0.." + MAX_PORT);
      }
      return (int) port;
    }
  }

  /** A whole number that fits an int. */
  public static final class WholeInt implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      long n = wholeNumber(value, "a whole number");
      if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
        throw new TypeConversionException("'" + value + "' is too large (at most " + Integer.MAX_VALUE + ")");
      }
      return (int) n;
    }
  }

  /** A whole number that fits a long. */
  public static final class WholeLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return wholeNumber(value, "a whole number");
    }
  }

  /** A decimal number. */
  public static final class Decimal implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      try {
        double d = Double.parseDouble(value.trim());
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a number (examples: 0.1, 5, 12.5)");
      }
    }
  }

  /**
   * An enum constant by its lower-case name ({@link #label(Enum)}), case-insensitive; a bad value names the
   * choices. Registered for every enum of a command line by {@link CommandLines}.
   */
  public static final class EnumValue<E extends Enum<E>> implements ITypeConverter<E> {
    private final Class<E> type;

    public EnumValue(Class<E> type) {
      this.type = type;
    }

    @Override
    public E convert(String value) {
      String wanted = value.trim();
      for (E constant : type.getEnumConstants()) {
        if (label(constant).equalsIgnoreCase(wanted)) {
          return constant;
        }
      }
      throw new TypeConversionException("'" + value + "' is not one of " + choices(type));
    }
  }

  /** The command-line spelling of an enum constant: its name in lower case ({@code IO_URING} → {@code io_uring}). */
  public static String label(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /** {@code auto, on, off}: the choices of an enum, as the command line spells them. */
  public static String choices(Class<? extends Enum<?>> type) {
    StringBuilder b = new StringBuilder();
    for (Enum<?> constant : type.getEnumConstants()) {
      b.append(b.length() == 0 ? "" : ", ").append(label(constant));
    }
    return b.toString();
  }

  private static long wholeNumber(String value, String expected) {
    String trimmed = value.trim();
    try {
      return Long.parseLong(trimmed.startsWith("+") ? trimmed.substring(1) : trimmed);
    } catch (NumberFormatException e) {
      String hint = trimmed.matches("[0-9.]+[eE][0-9]+") ? " (write it out: 1e6 is 1000000)" : "";
      throw new TypeConversionException("'" + value + "' is not " + expected + hint);
    }
  }
}
