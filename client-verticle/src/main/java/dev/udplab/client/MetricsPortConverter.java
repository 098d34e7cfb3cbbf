package dev.udplab.client;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converter for {@code --metrics-port} of every command: 0 (off) to 65535; a bad value ends in exit code 2. */
public final class MetricsPortConverter implements ITypeConverter<Integer> {

  @Override
  public Integer convert(String value) {
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a port number 0..65535");
    }
    if (port < 0 || port > 65535) {
      throw new TypeConversionException(port + " is out of range 0..65535");
    }
    return port;
  }
}
