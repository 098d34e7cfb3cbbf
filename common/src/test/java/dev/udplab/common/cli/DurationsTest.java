package dev.udplab.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationsTest {

  @Test
  void parses_every_unit_and_a_bare_number_as_seconds() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(2), Durations.parse("2s"));
    assertEquals(Duration.ofMinutes(1), Durations.parse("1m"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofNanos(250_000), Durations.parse("250us"));
    assertEquals(Duration.ofNanos(250_000), Durations.parse("250µs"));
    assertEquals(Duration.ofHours(2), Durations.parse("2h"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertEquals(Duration.ofSeconds(10), Durations.parse("10"));
    assertEquals(Duration.ofMillis(2500), Durations.parse("2.5"));
    assertEquals(Duration.ofMillis(20), Durations.parse(" 20ms "));
  }

  @Test
  void rejects_unknown_units_and_garbage() {
    IllegalArgumentException unit = assertThrows(IllegalArgumentException.class, () -> Durations.parse("5x"));
    assertTrue(unit.getMessage().contains("unknown unit 'x'"), unit.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("99999999999999h"));
  }

  @Test
  void formats_with_the_largest_whole_unit() {
    assertEquals("1s", Durations.format(Duration.ofSeconds(1)));
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    assertEquals("2m", Durations.format(Duration.ofMinutes(2)));
    assertEquals("250us", Durations.format(Duration.ofNanos(250_000)));
    assertEquals("0s", Durations.format(Duration.ZERO));
  }

  @Test
  void converter_turns_errors_into_picocli_type_errors() {
    assertEquals(Duration.ofMillis(500), new Converters.DurationValue().convert("500ms"));
    assertThrows(TypeConversionException.class, () -> new Converters.DurationValue().convert("1y"));
  }
}
