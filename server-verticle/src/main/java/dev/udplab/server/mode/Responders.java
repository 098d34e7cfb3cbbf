package dev.udplab.server.mode;

import dev.udplab.common.net.Datagrams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The four modes' {@link Responder}s; {@link ServerMode#newResponder} picks one. */
public final class Responders {

  /** Sends every datagram back unchanged, whatever its bytes (RFC 862): the received buffer itself, no copy. */
  public static final Responder ECHO = (request, alloc) -> request.retain();

  /** Never answers: the one-way lab's server, which only prints and counts. */
  public static final Responder SINK = (request, alloc) -> null;

  private Responders() {
  }

  /** Answers every datagram with the same greeting text, UTF-8 encoded. */
  public static final class Greeting implements Responder {
    private final byte[] greeting;

    public Greeting(String greeting) {
      this.greeting = greeting.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ByteBuf reply(ByteBuf request, ByteBufAllocator alloc) {
      return alloc.directBuffer(greeting.length, greeting.length).writeBytes(greeting);
    }
  }

  /**
   * Answers the text in capitals, as the Kurose and Ross server does. Valid UTF-8 is upper-cased with
   * {@link Locale#ROOT}; anything else is answered with ASCII letters upper-cased and every other byte unchanged, so
   * no input can raise an exception.
   */
  public static final class Uppercase implements Responder {
    /** Characters upper-cased per {@link String#toUpperCase} call; see {@link #upperCase}. */
    static final int CHUNK_CHARS = 128;

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    // One bulk copy in and one out, plain array loops between: no checked access per byte of a buffer.
    private final byte[] scratch = new byte[Datagrams.READ_BUFFER_BYTES];

    @Override
    public ByteBuf reply(ByteBuf request, ByteBufAllocator alloc) {
      int length = request.readableBytes();
      byte[] bytes = length <= scratch.length ? scratch : new byte[length];
      request.getBytes(request.readerIndex(), bytes, 0, length);
      if (!isAscii(bytes, length)) {
        try {
          CharBuffer text = decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length));
          return ByteBufUtil.writeUtf8(alloc, upperCase(text));
        } catch (CharacterCodingException notUtf8) {
          // answered byte by byte below
        }
      }
      for (int i = 0; i < length; i++) {
        byte b = bytes[i];
        if (b >= 'a' && b <= 'z') {
          bytes[i] = (byte) (b - ('a' - 'A'));
        }
      }
      return alloc.directBuffer(length, length).writeBytes(bytes, 0, length);
    }

    private static boolean isAscii(byte[] bytes, int length) {
      for (int i = 0; i < length; i++) {
        if (bytes[i] < 0) {
          return false;
        }
      }
      return true;
    }

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
  }
}
