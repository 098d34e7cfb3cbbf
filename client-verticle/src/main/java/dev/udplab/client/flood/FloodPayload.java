package dev.udplab.client.flood;

import dev.udplab.common.net.Datagrams;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The flood's wire format: a printable ASCII header carrying the sequence number and the send time,
 * padded to the requested size.
 *
 * <pre>SEQ 0000000000000042 T 0000000001234567\n....</pre>
 *
 * Both numbers are fixed-width decimal, the send time is nanoseconds since the run's epoch
 * ({@link System#nanoTime()} at the start of the run), and the magic and padding are upper-case or
 * punctuation, so an {@code uppercase} server returns a header that still parses. Encoding writes the
 * digits into one reusable array: no String is formatted per datagram.
 */
public final class FloodPayload {

  /** Width of each decimal field. */
  public static final int DIGITS = 16;
  /** Header length in bytes: the smallest allowed {@code --size}. */
  public static final int HEADER_BYTES = 4 + DIGITS + 3 + DIGITS + 1;
  /** Largest UDP payload over IPv4. */
  public static final int MAX_BYTES = Datagrams.MAX_PAYLOAD_BYTES;
  /** Default payload size. */
  public static final int DEFAULT_BYTES = 64;

  private static final byte[] SEQ_MAGIC = {'S', 'E', 'Q', ' '};
  private static final byte[] TIME_MAGIC = {' ', 'T', ' '};
  private static final int SEQ_AT = SEQ_MAGIC.length;
  private static final int TIME_AT = SEQ_AT + DIGITS + TIME_MAGIC.length;
  private static final long FIELD_LIMIT = 10_000_000_000_000_000L;

  private final byte[] bytes;

  /** Creates an encoder whose datagrams are {@code sizeBytes} long. */
  public FloodPayload(int sizeBytes) {
    if (sizeBytes < HEADER_BYTES || sizeBytes > MAX_BYTES) {
      throw new IllegalArgumentException("size must be between " + HEADER_BYTES + " and " + MAX_BYTES + ": " + sizeBytes);
    }
    bytes = new byte[sizeBytes];
    Arrays.fill(bytes, (byte) '.');
    System.arraycopy(SEQ_MAGIC, 0, bytes, 0, SEQ_MAGIC.length);
    System.arraycopy(TIME_MAGIC, 0, bytes, SEQ_AT + DIGITS, TIME_MAGIC.length);
    bytes[HEADER_BYTES - 1] = '\n';
  }

  /**
   * Writes sequence and send time into the reusable array and returns it. The caller copies it out
   * (into a Buffer) before the next call.
   */
  public byte[] encode(long sequence, long sendNanos) {
    writeDigits(sequence, SEQ_AT);
    writeDigits(sendNanos, TIME_AT);
    return bytes;
  }

  /** Writes a whole datagram (header and padding) at {@code offset} of {@code buffer}, to {@link #stamp} later. */
  public void fill(ByteBuf buffer, int offset) {
    buffer.setBytes(offset, bytes);
  }

  /**
   * Writes the header of datagram {@code sequence} sent at {@code sendNanos} over the one at {@code offset} of
   * {@code buffer}, which {@link #fill} prepared: the padding stays, only the header's 40 bytes are copied.
   */
  public void stamp(ByteBuf buffer, int offset, long sequence, long sendNanos) {
    encode(sequence, sendNanos);
    buffer.setBytes(offset, bytes, 0, HEADER_BYTES);
  }

  /** Datagram size in bytes. */
  public int sizeBytes() {
    return bytes.length;
  }

  /**
   * Reads the sequence number from the first {@code length} bytes of {@code header}, or returns -1
   * when they do not carry our header.
   */
  public static long decodeSequence(byte[] header, int length) {
    if (!isHeader(header, length)) {
      return -1;
    }
    return readDigits(header, SEQ_AT);
  }

  /** Reads the send time; call only after {@link #decodeSequence} returned a sequence. */
  public static long decodeSendNanos(byte[] header) {
    return readDigits(header, TIME_AT);
  }

  private static boolean isHeader(byte[] header, int length) {
    if (length < HEADER_BYTES) {
      return false;
    }
    for (int i = 0; i < SEQ_MAGIC.length; i++) {
      if (header[i] != SEQ_MAGIC[i]) {
        return false;
      }
    }
    for (int i = 0; i < TIME_MAGIC.length; i++) {
      if (header[SEQ_AT + DIGITS + i] != TIME_MAGIC[i]) {
        return false;
      }
    }
    return allDigits(header, SEQ_AT) && allDigits(header, TIME_AT) && header[HEADER_BYTES - 1] == '\n';
  }

  private static boolean allDigits(byte[] b, int at) {
    for (int i = at; i < at + DIGITS; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return false;
      }
    }
    return true;
  }

  private void writeDigits(long value, int at) {
    if (value < 0 || value >= FIELD_LIMIT) {
      throw new IllegalArgumentException("field out of range: " + value);
    }
    for (int i = at + DIGITS - 1; i >= at; i--) {
      bytes[i] = (byte) ('0' + (value % 10));
      value /= 10;
    }
  }

  private static long readDigits(byte[] b, int at) {
    long value = 0;
    for (int i = at; i < at + DIGITS; i++) {
      value = value * 10 + (b[i] - '0');
    }
    return value;
  }
}
