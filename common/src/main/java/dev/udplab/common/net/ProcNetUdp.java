package dev.udplab.common.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the kernel knows about this process's UDP sockets, from {@code /proc/net/udp} and {@code /proc/net/udp6}:
 * the {@code drops} column (datagrams discarded because a socket's receive buffer was full, before the program
 * could see them) and the receive queue.
 *
 * <p>Rows are matched by local port and by inode: only sockets this process owns (the {@code socket:[inode]} links
 * in {@code /proc/self/fd}) count, so another program on the same port does not. Several sockets on one port
 * (SO_REUSEPORT instances) are summed. Epoll sockets are dual-stack and show in {@code udp6} even when bound to an
 * IPv4 address, so both tables are read. Thread-safe.
 */
public final class ProcNetUdp {

  /** One row of /proc/net/udp or /proc/net/udp6. */
  public record Row(byte[] localAddress, int localPort, long txQueueBytes, long rxQueueBytes, long inode, long drops) {
  }

  /** Counters summed over the sockets that matched. */
  public record Totals(int sockets, long drops, long rxQueueBytes) {
  }

  private static final ProcNetUdp SYSTEM = new ProcNetUdp(Path.of("/proc/net"), Path.of("/proc/self/fd"));

  private final List<Path> tables;
  private final Path fdDirectory;
  private final Set<Long> ownInodes = new HashSet<>();

  /** Reads {@code udp} and {@code udp6} under {@code procNet} and this process's sockets from {@code fdDirectory}. */
  public ProcNetUdp(Path procNet, Path fdDirectory) {
    this.tables = List.of(procNet.resolve("udp"), procNet.resolve("udp6"));
    this.fdDirectory = fdDirectory;
  }

  /** This process's view, from {@code /proc}; one shared instance, so meters can hold it strongly. */
  public static ProcNetUdp system() {
    return SYSTEM;
  }

  /** Whether the kernel tables exist (Linux); elsewhere kernel counters are not available. */
  public boolean available() {
    return Files.isReadable(tables.get(0));
  }

  /** Drops and queued bytes summed over this process's sockets on {@code port}; zeros if none. Never throws. */
  public Totals ownSockets(int port) {
    return ownSockets(Set.of(port));
  }

  /**
   * Drops and queued bytes summed over this process's sockets on any of {@code ports}; zeros if none. Called by
   * meters at every scrape, so it never throws: a table that cannot be read counts as empty.
   */
  public synchronized Totals ownSockets(Collection<Integer> ports) {
    List<Row> rows = new ArrayList<>();
    for (Path table : tables) {
      for (Row row : parse(readAll(table))) {
        if (ports.contains(row.localPort())) {
          rows.add(row);
        }
      }
    }
    // A socket bound since the last read is not known yet: rescan this process's descriptors.
    for (Row row : rows) {
      if (!ownInodes.contains(row.inode())) {
        ownInodes.clear();
        ownInodes.addAll(socketInodes(fdDirectory));
        break;
      }
    }
    return sum(rows, ports, ownInodes);
  }

  /** Sums the rows on any of {@code ports} whose inode is in {@code inodes}. */
  public static Totals sum(List<Row> rows, Collection<Integer> ports, Set<Long> inodes) {
    int sockets = 0;
    long drops = 0;
    long queued = 0;
    for (Row row : rows) {
      if (ports.contains(row.localPort()) && inodes.contains(row.inode())) {
        sockets++;
        drops += row.drops();
        queued += row.rxQueueBytes();
      }
    }
    return new Totals(sockets, drops, queued);
  }

  /**
   * Parses the text of /proc/net/udp or /proc/net/udp6. The columns are {@code sl local_address rem_address st
   * tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops}; addresses are hex in host
   * (little-endian) byte order per 32-bit word, ports hex big-endian. Lines of another shape (the header, anything
   * malformed) are skipped.
   */
  public static List<Row> parse(String text) {
    List<Row> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 13 || !f[0].endsWith(":") || f[0].equals("sl")) {
        continue;
      }
      int colon = f[1].indexOf(':');
      int queueColon = f[4].indexOf(':');
      if (colon < 0 || queueColon < 0) {
        continue;
      }
      try {
        rows.add(new Row(
            decodeAddress(f[1].substring(0, colon)),
            Integer.parseInt(f[1].substring(colon + 1), 16),
            Long.parseLong(f[4].substring(0, queueColon), 16),
            Long.parseLong(f[4].substring(queueColon + 1), 16),
            Long.parseLong(f[9]),
            Long.parseLong(f[12])));
      } catch (IllegalArgumentException notARow) {
        // a line of another shape: skipped like the header
      }
    }
    return rows;
  }

  /** Decodes an address column: 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word little-endian. */
  static byte[] decodeAddress(String hex) {
    if (hex.length() != 8 && hex.length() != 32) {
      throw new IllegalArgumentException("not a /proc/net/udp address: " + hex);
    }
    byte[] address = new byte[hex.length() / 2];
    for (int word = 0; word < address.length / 4; word++) {
      long value = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
      for (int i = 0; i < 4; i++) {
        address[word * 4 + i] = (byte) (value >>> (8 * i));
      }
    }
    return address;
  }

  /** The inodes of the sockets open in this process ({@code socket:[inode]} links); empty if unreadable. */
  static Set<Long> socketInodes(Path fdDir) {
    Set<Long> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException | UnsupportedOperationException e) {
          continue; // closed between listing and reading, or not a link
        }
        if (target.startsWith("socket:[") && target.endsWith("]")) {
          inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
        }
      }
    } catch (IOException | SecurityException e) {
      return Set.of();
    }
    return inodes;
  }

  private static String readAll(Path table) {
    try {
      // /proc files report size 0; readAllBytes reads to end of file regardless.
      return new String(Files.readAllBytes(table), StandardCharsets.US_ASCII);
    } catch (IOException | SecurityException e) {
      return "";
    }
  }
}
