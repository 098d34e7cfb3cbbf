package dev.udplab.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Datagrams the kernel dropped at given local UDP ports because their receive queue was full: the
 * {@code drops} column of {@code /proc/net/udp} and {@code /proc/net/udp6} (epoll sockets bound to
 * 127.0.0.1 are dual-stack and show in the latter). This tells a flood's own losses (its receive buffer
 * overflowed: the client, not the server, was too slow) apart from the rest.
 */
final class KernelUdpDrops {

  private static final Path[] TABLES = {Path.of("/proc/net/udp"), Path.of("/proc/net/udp6")};

  private KernelUdpDrops() {
  }

  /** Drops summed over sockets whose local port is in {@code ports}; -1 where /proc is not readable. */
  static long read(Set<Integer> ports) {
    long total = 0;
    boolean any = false;
    for (Path table : TABLES) {
      try {
        total += parse(Files.readString(table), ports);
        any = true;
      } catch (IOException | RuntimeException e) {
        // not Linux, or no IPv6 table
      }
    }
    return any ? total : -1;
  }

  /** Sums the drops column of one /proc/net/udp-style table for the given local ports. */
  static long parse(String table, Set<Integer> ports) {
    long total = 0;
    for (String line : table.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 13 || !f[0].endsWith(":")) {
        continue;
      }
      int colon = f[1].lastIndexOf(':');
      int port = Integer.parseInt(f[1].substring(colon + 1), 16);
      if (ports.contains(port)) {
        total += Long.parseLong(f[f.length - 1]);
      }
    }
    return total;
  }
}
