package dev.udplab.client.net;

import dev.udplab.common.net.Datagrams;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.vertx.core.Vertx;

/**
 * How many datagrams one write of the flood may carry with UDP generic segmentation offload (UDP_SEGMENT, Linux
 * 4.18+): the flood hands the kernel one buffer of equal-sized datagrams and the kernel cuts it, so the IP stack
 * is walked once per write instead of once per datagram. The receiver still gets one datagram per sequence
 * number; only the generator gets cheaper, which matters when it shares the machine's cores with the server it
 * measures.
 *
 * <p>Decided from the path: a segment must fit the path MTU whole (the kernel refuses to fragment GSO segments), so
 * {@link GsoMode#AUTO} segments only when {@code --size} plus the IP and UDP headers fits the MTU the kernel reports
 * for the connected socket ({@code IP_MTU}): on loopback (65535, the largest IPv4 packet) any size, over a 1500-byte link up to 1472 bytes
 * (IPv4) or 1452 (IPv6).
 */
public final class UdpGso {

  /** Segments per write: the kernel's UDP_MAX_SEGMENTS before Linux 6.9 raised it to 128. */
  public static final int MAX_SEGMENTS = 64;
  /** One write's payload must fit one IPv4 datagram. */
  public static final int MAX_WRITE_BYTES = Datagrams.MAX_PAYLOAD_BYTES;
  /** IPv4 and UDP headers. */
  static final int IPV4_HEADERS = 28;
  /** IPv6 and UDP headers. */
  static final int IPV6_HEADERS = 48;

  private UdpGso() {
  }

  /**
   * What {@code --gso} came to for one flood.
   *
   * @param segmentsPerWrite datagrams per write, 1 meaning no segmentation
   * @param note             one line for the header saying why GSO is not used where the user might expect it, or
   *                         null
   */
  public record Decision(int segmentsPerWrite, String note) {
  }

  /** UDP_SEGMENT needs Netty's epoll transport under the sockets, and a kernel that has it (Linux 4.18+). */
  public static boolean supported(Vertx vertx) {
    return vertx.isNativeTransportEnabled() && SegmentedDatagramPacket.isSupported();
  }

  /**
   * Datagrams per write for {@code sizeBytes}-byte datagrams to {@code target} over a path of {@code pathMtu} bytes
   * (-1: unknown).
   *
   * @param supported whether the kernel and the transport offer UDP_SEGMENT
   * @throws IllegalStateException for {@link GsoMode#ON} where it is not supported or the datagrams do not fit the
   *                               path
   */
  public static Decision decide(GsoMode mode, boolean supported, int pathMtu, HostPort target, int sizeBytes) {
    if (mode == GsoMode.OFF) {
      return new Decision(1, null);
    }
    if (!supported) {
      if (mode == GsoMode.ON) {
        throw new IllegalStateException("--gso on: UDP segmentation offload (UDP_SEGMENT) needs the native epoll"
            + " transport on Linux 4.18 or later; use --gso auto or off");
      }
      return new Decision(1, null);
    }
    int packetBytes = sizeBytes + (target.isIpv6() ? IPV6_HEADERS : IPV4_HEADERS);
    if (pathMtu <= 0) {
      if (mode == GsoMode.ON) {
        return new Decision(segments(sizeBytes), null);
      }
      return new Decision(1, "GSO off: the path MTU to " + target.label() + " is unknown");
    }
    if (packetBytes > pathMtu) {
      String why = "a --size " + sizeBytes + " datagram is a " + packetBytes + "-byte packet, more than the path MTU "
          + pathMtu + " to " + target.label();
      if (mode == GsoMode.ON) {
        throw new IllegalStateException("--gso on: " + why + ", and GSO segments are never fragmented; use --size "
            + (sizeBytes - (packetBytes - pathMtu)) + " or less, or --gso auto");
      }
      return new Decision(1, "GSO off: " + why + "; each datagram goes whole and the IP layer fragments it");
    }
    return new Decision(segments(sizeBytes), null);
  }

  private static int segments(int sizeBytes) {
    return Math.max(1, Math.min(MAX_SEGMENTS, MAX_WRITE_BYTES / sizeBytes));
  }
}
