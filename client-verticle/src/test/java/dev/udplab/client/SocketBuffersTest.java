package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketBuffersTest {

  @BeforeEach
  void linux() {
    Assumptions.assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "Linux doubles the requests");
  }

  @Test
  void a_request_granted_in_full_says_nothing() {
    assertNull(SocketBuffers.shortfall("--rcvbuf", 212992, 425984, "net.core.rmem_max"));
    assertNull(SocketBuffers.shortfall("--rcvbuf", null, 212992, "net.core.rmem_max"));
    SocketBuffers small = new SocketBuffers(8192, 16384);
    assertNull(small.shortfall(small.granted(HostPort.parse("127.0.0.1:9"))));
  }

  @Test
  void a_capped_request_says_what_was_granted_and_which_sysctl_caps_it() {
    assertEquals("--rcvbuf 67108864 was capped: the kernel granted 8388608 (raise net.core.rmem_max to get more)",
        SocketBuffers.shortfall("--rcvbuf", 1 << 26, 8388608, "net.core.rmem_max"));
    SocketBuffers huge = new SocketBuffers(Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2);
    SocketBuffers.Granted granted = huge.granted(HostPort.parse("127.0.0.1:9"));
    assertEquals("--rcvbuf 1073741823 was capped: the kernel granted " + granted.receiveBytes()
        + " (raise net.core.rmem_max to get more); --sndbuf 1073741823 was capped: the kernel granted "
        + granted.sendBytes() + " (raise net.core.wmem_max to get more)", huge.shortfall(granted));
  }
}
