package dev.udplab.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizesTest {

  @Test
  void parses_plain_bytes_and_binary_multiples() {
    assertEquals(212992, ByteSizes.parse("212992"));
    assertEquals(8192, ByteSizes.parse("8K"));
    assertEquals(8192, ByteSizes.parse("8k"));
    assertEquals(212992, ByteSizes.parse("208K"));
    assertEquals(1048576, ByteSizes.parse("1M"));
    assertEquals(4194304, ByteSizes.parse("4M"));
    assertEquals(4194304, ByteSizes.parse("4MiB"));
    assertEquals(1024, ByteSizes.parse("1KB"));
    assertEquals(100, ByteSizes.parse("100B"));
    assertEquals(1073741824, ByteSizes.parse("1G"));
    assertEquals(1073741824, ByteSizes.parse("1073741824"));
  }

  @Test
  void rejects_zero_negative_over_one_gib_and_unknown_units() {
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("0"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("-8K"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("1073741825"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("2G"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("99999999999999999999"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("8T"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("K"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("1.5M"));
    assertThrows(TypeConversionException.class, () -> new Converters.ByteSize().convert("lots"));
  }

  @Test
  void formats_with_the_largest_whole_unit() {
    assertEquals("4M", ByteSizes.format(4194304));
    assertEquals("208K", ByteSizes.format(212992));
    assertEquals("1G", ByteSizes.format(1 << 30));
    assertEquals("1000", ByteSizes.format(1000));
  }
}
