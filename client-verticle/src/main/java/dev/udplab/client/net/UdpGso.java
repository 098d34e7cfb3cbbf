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
 */
public final class UdpGso {

  /** Segments per write: the kernel's UDP_MAX_SEGMENTS before Linux 6.9 raised it to 128. */
  public static final int MAX_SEGMENTS = 64;
  /** One write's payload must fit one IPv4 datagram. */
  public static final int MAX_WRITE_BYTES = Datagrams.MAX_PAYLOAD_BYTES;

  private UdpGso() {
  }

  /** UDP_SEGMENT needs Netty's epoll transport under the sockets, and a kernel that has it (Linux 4.18+). */
  public static boolean supported(Vertx vertx) {
    return vertx.isNativeTransportEnabled() && SegmentedDatagramPacket.isSupported();
  }

  /**
   * Datagrams per write, 1 meaning no segmentation. {@link GsoMode#AUTO} segments only towards loopback targets: a
   * segment larger than the path MTU fails the whole write, and loopback's MTU of 64 KiB is the one known here.
   *
   * @param supported whether the kernel and the transport offer UDP_SEGMENT
   * @throws IllegalStateException for {@link GsoMode#ON} where it is not supported
   */
  public static int segmentsPerWrite(GsoMode mode, boolean supported, boolean loopbackTarget, int sizeBytes) {
    if (mode == GsoMode.OFF || mode == GsoMode.AUTO && !(supported && loopbackTarget)) {
      return 1;
    }
    if (!supported) {
      throw new IllegalStateException("--gso on: UDP segmentation offload (UDP_SEGMENT) needs the native epoll"
          + " transport on Linux 4.18 or later; use --gso auto or off");
    }
    return Math.max(1, Math.min(MAX_SEGMENTS, MAX_WRITE_BYTES / sizeBytes));
  }
}
