package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class FloodPayloadTest {

  @Test
  void round_trips_sequence_and_time_and_pads_to_size() {
    FloodPayload payload = new FloodPayload(100);
    byte[] bytes = payload.encode(1234567, 987654321L).clone();
    assertEquals(100, bytes.length);
    assertEquals(1234567, FloodPayload.decodeSequence(bytes, bytes.length));
    assertEquals(987654321L, FloodPayload.decodeSendNanos(bytes));
    assertEquals("SEQ 0000000001234567 T 0000000987654321\n", new String(bytes, 0, FloodPayload.HEADER_BYTES,
        StandardCharsets.US_ASCII));
  }

  @Test
  void survives_upper_casing() {
    FloodPayload payload = new FloodPayload(FloodPayload.HEADER_BYTES + 10);
    String text = new String(payload.encode(42, 7), StandardCharsets.US_ASCII);
    byte[] upper = text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    assertEquals(42, FloodPayload.decodeSequence(upper, upper.length));
    assertEquals(7, FloodPayload.decodeSendNanos(upper));
  }

  @Test
  void reuses_one_array_and_overwrites_all_digits() {
    FloodPayload payload = new FloodPayload(FloodPayload.HEADER_BYTES);
    byte[] first = payload.encode(9_999_999_999_999_999L, 9_999_999_999_999_999L);
    byte[] second = payload.encode(1, 2);
    assertEquals(first, second);
    assertEquals(1, FloodPayload.decodeSequence(second, second.length));
    assertEquals(2, FloodPayload.decodeSendNanos(second));
  }

  @Test
  void rejects_foreign_and_short_replies() {
    byte[] greeting = "Hello UDP Client".getBytes(StandardCharsets.US_ASCII);
    assertEquals(-1, FloodPayload.decodeSequence(greeting, greeting.length));
    byte[] header = new FloodPayload(FloodPayload.HEADER_BYTES).encode(5, 5).clone();
    assertEquals(-1, FloodPayload.decodeSequence(header, header.length - 1));
    header[10] = 'x';
    assertEquals(-1, FloodPayload.decodeSequence(header, header.length));
  }

  @Test
  void size_limits_are_the_header_and_65507() {
    assertEquals(FloodPayload.HEADER_BYTES, new FloodPayload(FloodPayload.HEADER_BYTES).sizeBytes());
    assertEquals(65507, new FloodPayload(65507).sizeBytes());
    assertThrows(IllegalArgumentException.class, () -> new FloodPayload(FloodPayload.HEADER_BYTES - 1));
    assertThrows(IllegalArgumentException.class, () -> new FloodPayload(65508));
    assertThrows(IllegalArgumentException.class, () -> new FloodPayload(64).encode(-1, 0));
  }
}
