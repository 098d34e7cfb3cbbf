package dev.udplab.client.report;

/**
 * What a flood was asked to do and what the kernel granted, as its JSON's {@code test} object shows them (iperf3's
 * {@code start.test_start}): a script reads the run's settings from the same document as its results.
 *
 * @param sizeBytes         datagram payload size
 * @param ipv6              whether the target is IPv6 (the on-the-wire bitrate counts its 40-byte header)
 * @param count             datagrams asked for; 0 = until the duration or a stop
 * @param durationSeconds   longest send phase asked for; 0 = none
 * @param rate              datagrams per second asked for (0 = unpaced), derived from {@code bitsPerSecond} when
 *                          {@code --bitrate} was given
 * @param bitsPerSecond     {@code --bitrate} as given (payload bits per second), or null
 * @param sockets           client sockets
 * @param gso               {@code --gso} as given
 * @param segmentsPerWrite  datagrams per write the run used (1 = no GSO)
 * @param rcvbufAsked       {@code --rcvbuf}, or null for the kernel's default
 * @param sndbufAsked       {@code --sndbuf}, or null for the kernel's default
 * @param rcvbufGranted     SO_RCVBUF the kernel granted, read back from the socket
 * @param sndbufGranted     SO_SNDBUF the kernel granted
 * @param expect            {@code --expect} as given
 * @param drainSeconds      {@code --drain}
 * @param intervalSeconds   {@code --interval}; 0 = no interval lines
 * @param bind              {@code --bind} as given, or null
 * @param warmupSeconds     {@code --warmup}: how long the flood sent before the run, left out of the results
 */
public record FloodParameters(int sizeBytes, boolean ipv6, long count, double durationSeconds, long rate,
    Long bitsPerSecond, int sockets, String gso, int segmentsPerWrite, Integer rcvbufAsked, Integer sndbufAsked,
    long rcvbufGranted, long sndbufGranted, String expect, double drainSeconds, double intervalSeconds, String bind,
    double warmupSeconds) {

  /**
   * Bytes one datagram of {@code payloadBytes} takes on an Ethernet link besides its payload: the UDP header (8), the
   * IP header (20, or 40 for IPv6) and the Ethernet II header and frame check sequence (14 + 4). The preamble and the
   * gap between frames (another 20) are not counted, and neither are IP fragments: one frame per datagram, as for
   * every size up to the MTU minus the headers.
   */
  public static int wireOverheadBytes(boolean ipv6) {
    return 8 + (ipv6 ? 40 : 20) + 14 + 4;
  }
}
