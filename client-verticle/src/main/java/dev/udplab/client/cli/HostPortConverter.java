package dev.udplab.client.cli;

import dev.udplab.client.net.HostPort;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converter for {@code HOST:PORT} and {@code [V6]:PORT}; a bad value ends in exit code 2. */
public final class HostPortConverter implements ITypeConverter<HostPort> {

  @Override
  public HostPort convert(String value) {
    try {
      return HostPort.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
