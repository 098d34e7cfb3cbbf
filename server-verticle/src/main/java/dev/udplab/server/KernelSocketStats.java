package dev.udplab.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the kernel knows about our UDP sockets: the {@code drops} column (datagrams it discarded because the
 * socket's receive buffer was full, before the server could see them) and the receive queue length, read from
 * {@code /proc/net/udp} and {@code /proc/net/udp6}.
 * <p>
 * Rows are matched by local port and by inode: only sockets this process owns (the {@code socket:[inode]} links in
 * {@code /proc/self/fd}) count, so another program on the same port does not. Several sockets on one port (one per
 * event loop with SO_REUSEPORT) are summed. Epoll sockets are dual-stack and show in {@code udp6} even when bound
 * to an IPv4 address, so both files are read.
 */
public final class KernelSocketStats {

  /** One row of /proc/net/udp or /proc/net/udp6. */
  public record SocketRow(byte[] localAddress, int localPort, long txQueueBytes, long rxQueueBytes, long inode,
                          long drops) {
  }

  /** Summed counters of the sockets matched on one port. */
  public record Totals(int sockets, long drops, long rxQueueBytes) {
  }

  private static final Path PROC_NET = Path.of("/proc/net");
  private static final Path PROC_SELF_FD = Path.of("/proc/self/fd");

  private static final KernelSocketStats SYSTEM = new KernelSocketStats(PROC_NET, PROC_SELF_FD);

  private final List<Path> tables;
  private final Path fdDirectory;
  private final Set<Long> ownInodes = new HashSet<>();

  /** Reads {@code udp} and {@code udp6} under {@code procNet} and our sockets from {@code fdDirectory}. */
  public KernelSocketStats(Path procNet, Path fdDirectory) {
    this.tables = List.of(procNet.resolve("udp"), procNet.resolve("udp6"));
    this.fdDirectory = fdDirectory;
  }

  /** This process's view, from {@code /proc}; one shared instance, so meters can hold it strongly. */
  public static KernelSocketStats system() {
    return SYSTEM;
  }

  /** Whether the kernel tables exist (Linux); elsewhere the kernel meters are left out. */
  public boolean available() {
    return Files.isReadable(tables.get(0));
  }

  /**
   * Drops and queued bytes summed over the sockets this process owns on {@code port}; zeros if none. Called by
   * the meters at every scrape, so it never throws: a table that cannot be read counts as empty.
   */
  public synchronized Totals read(int port) {
    List<SocketRow> rows = new ArrayList<>();
    for (Path table : tables) {
      if (Files.isReadable(table)) {
        for (SocketRow row : parse(readAll(table))) {
          if (row.localPort() == port) {
            rows.add(row);
          }
        }
      }
    }
    // A socket bound since the last read (another event loop's instance) is unknown: rescan our descriptors.
    for (SocketRow row : rows) {
      if (!ownInodes.contains(row.inode())) {
        ownInodes.clear();
        ownInodes.addAll(socketInodes(fdDirectory));
        break;
      }
    }
    return sum(rows, port, ownInodes);
  }

  /** Sums the rows on {@code port} whose inode is in {@code inodes}. */
  public static Totals sum(List<SocketRow> rows, int port, Set<Long> inodes) {
    int sockets = 0;
    long drops = 0;
    long queued = 0;
    for (SocketRow row : rows) {
      if (row.localPort() == port && inodes.contains(row.inode())) {
        sockets++;
        drops += row.drops();
        queued += row.rxQueueBytes();
      }
    }
    return new Totals(sockets, drops, queued);
  }

  /**
   * Parses the text of /proc/net/udp or /proc/net/udp6. The columns are
   * {@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer
   * drops}; addresses are hex in host (little-endian) byte order per 32-bit word, ports hex big-endian. Lines that
   * do not have that shape (the header, anything malformed) are skipped.
   */
  public static List<SocketRow> parse(String text) {
    List<SocketRow> rows = new ArrayList<>();
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
        rows.add(new SocketRow(
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

  /**
   * The inodes of the sockets open in this process, from the {@code socket:[inode]} links of {@code fdDir};
   * empty if the directory cannot be listed.
   */
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
