package dev.udplab.server;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Answers the text in capitals, as the Kurose and Ross server does. Valid UTF-8 is upper-cased with
 * {@link Locale#ROOT}; anything else is answered with ASCII letters upper-cased and every other byte
 * unchanged, so no input can raise an exception.
 */
public final class UppercaseResponder implements Responder {
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);

  @Override
  public byte[] reply(byte[] request) {
    if (isAscii(request)) {
      return upperAscii(request);
    }
    CharBuffer text;
    try {
      text = decoder.reset().decode(ByteBuffer.wrap(request));
    } catch (CharacterCodingException notUtf8) {
      return upperAscii(request);
    }
    return upperCase(text).getBytes(StandardCharsets.UTF_8);
  }

  /** Characters upper-cased per {@link String#toUpperCase} call; see {@link #upperCase}. */
  static final int CHUNK_CHARS = 128;

  /**
   * {@code text.toUpperCase(Locale.ROOT)}, a chunk at a time. The JDK grows its result array by a few chars for
   * each character whose capital is longer (U+0149 becomes U+02BC U+004E), which is quadratic: one 65506-byte
   * datagram of them kept an event loop busy for seconds. With the root locale upper-casing has no context
   * rules, so chunks cut between code points give the same result in linear time.
   */
  static String upperCase(CharSequence text) {
    StringBuilder upper = new StringBuilder(text.length() + 16);
    for (int start = 0; start < text.length(); ) {
      int end = Math.min(start + CHUNK_CHARS, text.length());
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      upper.append(text.subSequence(start, end).toString().toUpperCase(Locale.ROOT));
      start = end;
    }
    return upper.toString();
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] upperAscii(byte[] request) {
    byte[] reply = new byte[request.length];
    for (int i = 0; i < request.length; i++) {
      byte b = request[i];
      reply[i] = b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
    }
    return reply;
  }
}
