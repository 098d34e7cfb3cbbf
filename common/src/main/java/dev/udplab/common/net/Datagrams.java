package dev.udplab.common.net;

import dev.udplab.common.runtime.ProcessProperties;

/** Sizes every udplab socket shares: what one datagram can hold and how reads are batched. */
public final class Datagrams {

  /** The largest UDP payload over IPv4: 65535 minus the 20-byte IP and 8-byte UDP headers. */
  public static final int MAX_PAYLOAD_BYTES = 65_507;
  /** Bytes one read may fill: {@link #MAX_PAYLOAD_BYTES} rounded up to 64 KiB, so no datagram is ever cut. */
  public static final int READ_BUFFER_BYTES = 65_536;
  /** Datagrams read per readiness event (Vert.x reads one): the C reference echo's recvmmsg batch. */
  public static final int MESSAGES_PER_READ = 64;
  /**
   * Datagrams one {@code recvmmsg} call may take on the epoll transport, each into its own
   * {@link #READ_BUFFER_BYTES} slice of one pooled buffer; {@code -Dudplab.recvmmsg=1} reads one per call.
   */
  public static final int RECVMMSG_DATAGRAMS = ProcessProperties.recvmmsgDatagrams();

  private Datagrams() {
  }
}
