package dev.udplab.client.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a flood's lost datagrams were lost, from the server's counters read before the first datagram and after the
 * drain ({@code --server-metrics}) and from this client's own sockets:
 * {@code lost = serverKernel + serverDropped + clientKernel + path}, with {@code path} the rest, never negative.
 *
 * @param serverKernel      the kernel's drops at the server's sockets of the target port (full receive buffer), or
 *                          null where the server does not export them
 * @param serverDropped     datagrams the server received and did not answer, by reason ({@code rate_limited}, ...)
 * @param clientKernel      the kernel's drops at this flood's own sockets, or null where the kernel does not say
 * @param path              what neither end saw: lost on the way there or back
 * @param exact             false when the server's counters moved by more than this flood sent (someone else was
 *                          talking to it) or a part is unknown
 * @param serverDatagrams   how far the server's received and kernel-dropped counters moved during the flood
 */
public record LossAttribution(Long serverKernel, Map<String, Long> serverDropped, Long clientKernel, long path,
    boolean exact, long serverDatagrams) {

  public LossAttribution {
    serverDropped = Map.copyOf(serverDropped);
  }

  /**
   * Splits {@code lost} of {@code sent} datagrams.
   *
   * @param serverReceived how far the server's received counter moved
   * @param serverKernel   how far its kernel drops moved, or null
   * @param serverDropped  how far each of its drop reasons moved
   * @param clientKernel   this client's own kernel drops, or null
   */
  public static LossAttribution of(long sent, long lost, long serverReceived, Long serverKernel,
      Map<String, Long> serverDropped, Long clientKernel) {
    long dropped = serverDropped.values().stream().mapToLong(Long::longValue).sum();
    long known = dropped + (serverKernel == null ? 0 : serverKernel) + (clientKernel == null ? 0 : clientKernel);
    long serverDatagrams = serverReceived + (serverKernel == null ? 0 : serverKernel);
    boolean exact = serverKernel != null && clientKernel != null && serverDatagrams <= sent;
    return new LossAttribution(serverKernel, serverDropped, clientKernel, Math.max(0, lost - known), exact,
        serverDatagrams);
  }

  /** The server's drops of every reason added up. */
  public long serverDroppedTotal() {
    return serverDropped.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The report's line: {@code lost 1,234 = 1,000 in the server's receive buffer + 0 dropped by the server + 34 in
   * this client's receive buffer + 200 on the path}, the reasons of the server's drops in brackets when there are
   * any, and why the split is not exact when it is not.
   */
  public String line(long lost, long sent) {
    StringBuilder b = new StringBuilder();
    b.append(fmt("lost %,d = %s in the server's receive buffer + %,d dropped by the server", lost,
        serverKernel == null ? "?" : fmt("%,d", serverKernel), serverDroppedTotal()));
    Map<String, Long> nonZero = new LinkedHashMap<>();
    serverDropped.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByKey())
        .forEach(e -> nonZero.put(e.getKey(), e.getValue()));
    if (!nonZero.isEmpty()) {
      StringBuilder reasons = new StringBuilder();
      nonZero.forEach((reason, n) -> reasons.append(reasons.length() == 0 ? "" : ", ").append(fmt("%s %,d", reason,
          n)));
      b.append(" (").append(reasons).append(')');
    }
    b.append(fmt(" + %s in this client's receive buffer + %,d on the path",
        clientKernel == null ? "?" : fmt("%,d", clientKernel), path));
    if (!exact) {
      if (serverDatagrams > sent) {
        b.append(fmt(" (not exact: the server took in %,d datagrams while this flood sent %,d, so someone else is "
            + "talking to it)", serverDatagrams, sent));
      } else {
        b.append(" (not exact: ").append(serverKernel == null ? "the server does not export its kernel drops"
            : "this kernel does not say what it dropped at the client").append(')');
      }
    }
    return b.toString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
