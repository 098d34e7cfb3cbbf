package dev.udplab.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.net.DatagramChannels;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.transport.Transport;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Granted sizes are read back from the bound socket itself, the same on NIO and on epoll. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
public class SocketBuffersTest {

  private static final HostPort TARGET = HostPort.parse("127.0.0.1:9");

  @BeforeEach
  void linux() {
    Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "Linux doubles the requests");
  }

  /** What the kernel granted a client socket with {@code buffers} on {@code vertx}, once bound. */
  public static SocketBuffers.Granted grantedToABoundSocket(Vertx vertx, SocketBuffers buffers) {
    DatagramSocket socket = ClientSockets.create(vertx, buffers, TARGET);
    try {
      ClientSockets.listen(socket, TARGET).await();
      return SocketBuffers.Granted.of(DatagramChannels.channelOf(socket));
    } finally {
      socket.close().await();
    }
  }

  @Test
  void a_request_granted_in_full_says_nothing(Vertx vertx) {
    assertNull(SocketBuffers.shortfall("--rcvbuf", 212992, 425984, "net.core.rmem_max"));
    assertNull(SocketBuffers.shortfall("--rcvbuf", null, 212992, "net.core.rmem_max"));
    SocketBuffers small = new SocketBuffers(8192, 16384);
    assertNull(small.shortfall(grantedToABoundSocket(vertx, small)));
  }

  @Test
  void a_capped_request_says_what_was_granted_and_which_sysctl_caps_it(Vertx vertx) {
    assertEquals("--rcvbuf 67108864 was capped: the kernel granted 8388608 (raise net.core.rmem_max to get more)",
        SocketBuffers.shortfall("--rcvbuf", 1 << 26, 8388608, "net.core.rmem_max"));
    SocketBuffers huge = new SocketBuffers(Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2);
    SocketBuffers.Granted granted = grantedToABoundSocket(vertx, huge);
    assertEquals("--rcvbuf 1073741823 was capped: the kernel granted " + granted.receiveBytes()
        + " (raise net.core.rmem_max to get more); --sndbuf 1073741823 was capped: the kernel granted "
        + granted.sendBytes() + " (raise net.core.wmem_max to get more)", huge.shortfall(granted));
  }

  @Test
  void nio_and_epoll_read_back_the_same_doubled_sizes() {
    Assumptions.assumeTrue(Transport.EPOLL.available(), "no epoll here");
    Vertx nio = Vertx.builder().withTransport(Transport.NIO).build();
    Vertx epoll = Vertx.builder().withTransport(Transport.EPOLL).build();
    try {
      assertTrue(epoll.isNativeTransportEnabled());
      SocketBuffers asked = new SocketBuffers(8192, 16384);
      assertEquals(new SocketBuffers.Granted(16384, 32768), grantedToABoundSocket(nio, asked), "NIO");
      assertEquals(new SocketBuffers.Granted(16384, 32768), grantedToABoundSocket(epoll, asked), "epoll");
      SocketBuffers none = SocketBuffers.KERNEL_DEFAULTS;
      assertEquals(grantedToABoundSocket(epoll, none), grantedToABoundSocket(nio, none), "the kernel's defaults");
    } finally {
      nio.close().await();
      epoll.close().await();
    }
  }
}
