package dev.udplab.client.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Asks the kernel whether anything listens on a UDP target: one 1-byte datagram from a connected socket (the JDK does
 * not send an empty one through {@link DatagramSocket}). Linux tells
 * only a connected socket about the ICMP port unreachable that comes back (an unconnected one, like a flood's, never
 * hears of it), so a flood that got no reply at all probes once, after its run, to say why. Blocking: call it off the
 * event loop.
 */
public final class PortProbe {

  /** What came back. */
  public enum Answer {
    /** The kernel reported ICMP port unreachable: nothing listens there. */
    REFUSED,
    /** A datagram came back. */
    ANSWERED,
    /** Nothing within the wait: a sink, a firewall that drops, or a host that is not there. */
    SILENT
  }

  private PortProbe() {
  }

  /** Sends one 1-byte datagram to {@code target} and waits up to {@code wait} for what comes back. */
  public static Answer probe(HostPort target, Duration wait) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(target.bindHost()),
        0))) {
      socket.connect(new InetSocketAddress(target.address(), target.port()));
      socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
      socket.send(new DatagramPacket(new byte[] {'?'}, 1));
      socket.receive(new DatagramPacket(new byte[1], 1));
      return Answer.ANSWERED;
    } catch (PortUnreachableException e) {
      return Answer.REFUSED;
    } catch (SocketTimeoutException e) {
      return Answer.SILENT;
    } catch (IOException e) {
      // e.g. a send the kernel refuses: the flood's own send failures say that better
      return Answer.SILENT;
    }
  }
}
