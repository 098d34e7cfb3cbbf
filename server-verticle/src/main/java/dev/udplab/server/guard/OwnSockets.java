package dev.udplab.server.guard;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The UDP sockets one server process has bound (every mode, every instance), so that a datagram whose source is one of
 * them is never answered: no client sends from our own port, so such a datagram is spoofed, or our own reply coming
 * back, and answering it starts a loop with ourselves (a socket with itself, or {@code all}'s echo with its greeting).
 * A socket bound to the wildcard ({@code 0.0.0.0}, {@code ::}) is "us" at every address of this host: the loopback
 * range (all of 127/8 on Linux, {@code ::1}) and every interface address, read from the interfaces at most once a
 * second and only when a datagram from one of our ports comes from an address not yet known to be ours.
 * <p>
 * Cost per datagram: one load of one bit (is the source port one of ours?). Only a source on one of our ports, which
 * an ordinary client never uses on this host, compares addresses. Written at start and stop (copy on write), read on
 * every event loop without a lock.
 */
public final class OwnSockets {

  private static final long REFRESH_NANOS = 1_000_000_000L;

  private final Supplier<Set<InetAddress>> interfaceAddresses;
  private final LongSupplier nanoClock;
  // one bit per port that some socket of ours is bound to
  private volatile long[] ports = new long[65_536 / 64];
  private volatile InetSocketAddress[] sockets = new InetSocketAddress[0];
  private volatile Set<InetAddress> local = Set.of();
  private volatile long localReadNanos = Long.MIN_VALUE;

  /** Sockets of this process; a wildcard bind is ours at every address the host's interfaces have now. */
  public OwnSockets() {
    this(OwnSockets::readInterfaceAddresses, System::nanoTime);
  }

  /**
   * @param interfaceAddresses the host's interface addresses now, or null when they cannot be read (the last ones
   *                           read are kept); loopback is always ours, whatever it says
   * @param nanoClock          when they were last read, so that they are read at most once a second
   */
  OwnSockets(Supplier<Set<InetAddress>> interfaceAddresses, LongSupplier nanoClock) {
    this.interfaceAddresses = interfaceAddresses;
    this.nanoClock = nanoClock;
  }

  /** Records a bound socket (its local address as the kernel reports it after bind). */
  public synchronized void add(InetSocketAddress bound) {
    InetSocketAddress[] more = Arrays.copyOf(sockets, sockets.length + 1);
    more[sockets.length] = bound;
    sockets = more;
    long[] bits = ports.clone();
    bits[bound.getPort() >>> 6] |= 1L << bound.getPort();
    ports = bits;
  }

  /** Whether {@code source} is one of the sockets {@link #add added}: a datagram from it is never answered. */
  public boolean isOwn(InetSocketAddress source) {
    int port = source.getPort();
    if ((ports[port >>> 6] & (1L << port)) == 0) {
      return false;
    }
    InetAddress address = source.getAddress();
    for (InetSocketAddress socket : sockets) {
      if (socket.getPort() == port
          && (socket.getAddress().isAnyLocalAddress() ? isLocal(address) : socket.getAddress().equals(address))) {
        return true;
      }
    }
    return false;
  }

  private boolean isLocal(InetAddress address) {
    if (address.isLoopbackAddress() || local.contains(address)) {
      return true;
    }
    long now = nanoClock.getAsLong();
    if (localReadNanos != Long.MIN_VALUE && now - localReadNanos < REFRESH_NANOS) {
      return false;
    }
    // An address not seen among ours: the interfaces may have changed since (DHCP, a new veth). Read them again.
    localReadNanos = now;
    Set<InetAddress> read = interfaceAddresses.get();
    if (read != null) {
      local = read;
    }
    return local.contains(address);
  }

  private static Set<InetAddress> readInterfaceAddresses() {
    Set<InetAddress> addresses = new HashSet<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        addresses.addAll(Collections.list(nic.getInetAddresses()));
      }
    } catch (SocketException e) {
      return null; // loopback stays ours, and so does every address read before
    }
    return Set.copyOf(addresses);
  }
}
