package dev.udplab.client;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converter for {@link ByteSizes} syntax; a bad value ends in exit code 2. */
public final class ByteSizeConverter implements ITypeConverter<Integer> {

  @Override
  public Integer convert(String value) {
    try {
      return ByteSizes.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
