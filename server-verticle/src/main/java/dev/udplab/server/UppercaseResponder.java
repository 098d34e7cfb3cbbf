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
    return text.toString().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
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
