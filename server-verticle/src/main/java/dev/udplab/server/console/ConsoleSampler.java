package dev.udplab.server.console;

import dev.udplab.common.net.SocketAddresses;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Prints received datagrams the way the lab servers do (sender and message) without letting the console
 * become the bottleneck: at most {@code linesPerSecond} datagrams are printed each second, the rest are
 * folded into one summary line per second. {@link #record} only stores references and counts, and
 * allocates nothing; all formatting happens in {@link #tick}, called from a timer.
 * Not thread-safe: one sampler per event loop.
 */
public final class ConsoleSampler {
  /** How often {@link #tick} should be called: sampled lines appear within this time. */
  public static final long TICK_MILLIS = 100;
  private static final int TICKS_PER_SECOND = (int) (1000 / TICK_MILLIS);
  /** Longest message text shown on a line; longer ones end in an ellipsis. */
  public static final int MAX_TEXT_CHARS = 80;
  private static final int CLIENT_SLOTS = 1024;

  private final String label;
  private final int linesPerSecond;
  private final InetSocketAddress[] senders;
  private final byte[][] messages;
  private final long[] clientKeys = new long[CLIENT_SLOTS];
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private int pending;
  private long ticks;
  private int shownThisSecond;
  private long folded;
  private int foldedClients;

  /**
   * @param label what starts every line: the mode, e.g. {@code "echo"} in {@code echo from 127.0.0.1:40000 ...}
   * @param linesPerSecond how many datagrams are printed in full each second
   */
  public ConsoleSampler(String label, int linesPerSecond) {
    this.label = label;
    this.linesPerSecond = linesPerSecond;
    senders = new InetSocketAddress[linesPerSecond];
    messages = new byte[linesPerSecond][];
  }

  /** Whether the next {@link #record} shows its message (otherwise it only counts it and the message may be null). */
  public boolean showsNext() {
    return shownThisSecond + pending < linesPerSecond;
  }

  /**
   * Notes one datagram; keeps references to {@code sender} and {@code message}, which must not change afterwards.
   * {@code message} may be null when {@link #showsNext()} was false.
   */
  public void record(InetSocketAddress sender, byte[] message) {
    if (showsNext()) {
      senders[pending] = sender;
      messages[pending] = message;
      pending++;
      return;
    }
    folded++;
    countClient(sender);
  }

  /** Called every {@link #TICK_MILLIS}: {@link #flush}, and {@link #endSecond} on every tenth call. */
  public void tick(Consumer<String> out) {
    if (++ticks % TICKS_PER_SECOND == 0) {
      endSecond(out);
    } else {
      flush(out);
    }
  }

  /** Writes the sampled datagrams not yet written. */
  public void flush(Consumer<String> out) {
    for (int i = 0; i < pending; i++) {
      out.accept(label + " from " + SocketAddresses.format(senders[i]) + " (" + messages[i].length + " bytes): "
          + render(messages[i]));
      senders[i] = null;
      messages[i] = null;
    }
    shownThisSecond += pending;
    pending = 0;
  }

  /** Writes what is pending plus, if datagrams were folded, one summary line; then starts a new second. */
  public void endSecond(Consumer<String> out) {
    flush(out);
    if (folded > 0) {
      String clients = foldedClients >= CLIENT_SLOTS ? "at least " + CLIENT_SLOTS + " clients"
          : foldedClients == 1 ? "1 client" : foldedClients + " clients";
      out.accept(label + " \u2026 " + folded + " more datagram" + (folded == 1 ? "" : "s") + " from " + clients
          + " in the last second");
    }
    folded = 0;
    foldedClients = 0;
    shownThisSecond = 0;
    Arrays.fill(clientKeys, 0L);
  }

  private void countClient(InetSocketAddress sender) {
    if (foldedClients >= CLIENT_SLOTS) {
      return;
    }
    // InetAddress.hashCode reads the address in place (for IPv4 it is the address): nothing allocated
    long key = ((long) sender.getAddress().hashCode() << 32) | (sender.getPort() & 0xffffffffL);
    if (key == 0) {
      key = 1;
    }
    int slot = (int) ((key ^ (key >>> 29)) * 0x9E3779B97F4A7C15L >>> 54) & (CLIENT_SLOTS - 1);
    while (clientKeys[slot] != 0) {
      if (clientKeys[slot] == key) {
        return;
      }
      slot = (slot + 1) & (CLIENT_SLOTS - 1);
    }
    clientKeys[slot] = key;
    foldedClients++;
  }

  /**
   * The message as one printable line: valid UTF-8 as text, anything else as printable ASCII with other
   * bytes as {@code \xNN}; control characters escaped ({@code \xNN}), and so are format characters and line and
   * paragraph separators (a backslash, u and the code point in hex); at most {@link #MAX_TEXT_CHARS} characters.
   */
  String render(byte[] message) {
    StringBuilder text = new StringBuilder();
    CharBuffer chars = null;
    try {
      chars = decoder.reset().decode(ByteBuffer.wrap(message));
    } catch (CharacterCodingException notUtf8) {
      // shown byte by byte below
    }
    int length = chars != null ? chars.length() : message.length;
    int i = 0;
    for (; i < length && text.length() < MAX_TEXT_CHARS; i++) {
      int c = chars != null ? Character.codePointAt(chars, i) : message[i] & 0xff;
      if (Character.charCount(c) == 2) {
        i++;
      }
      if (c == '\\') {
        text.append("\\\\");
      } else if (c >= 0x20 && c < 0x7f || chars != null && c >= 0xa0 && !rearrangesTheLine(c)) {
        text.appendCodePoint(c);
      } else if (c > 0xff) {
        text.append(String.format(c > 0xffff ? "\\u{%x}" : "\\u%04x", c));
      } else if (c == '\n') {
        text.append("\\n");
      } else if (c == '\r') {
        text.append("\\r");
      } else if (c == '\t') {
        text.append("\\t");
      } else {
        text.append(String.format("\\x%02x", c & 0xff));
      }
    }
    if (i < length) {
      text.append('\u2026');
    }
    return text.toString();
  }

  /**
   * Characters that change how a terminal or a log viewer lays out what follows rather than showing themselves:
   * format characters (the bidi embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, zero-width
   * ones, tags) and the line and paragraph separators U+2028 and U+2029. A sender could hide or reorder text with
   * them, so they are escaped like control bytes.
   */
  private static boolean rearrangesTheLine(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.CONTROL;
  }
}
