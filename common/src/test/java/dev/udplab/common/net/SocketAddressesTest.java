package dev.udplab.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SocketAddressesTest {

  @Test
  void formats_ipv4_and_bracketed_compressed_ipv6() throws Exception {
    assertEquals("127.0.0.1:20001", SocketAddresses.format("127.0.0.1", 20001));
    assertEquals("[::1]:20001", SocketAddresses.format("::1", 20001));
    assertEquals("[::1]:7", SocketAddresses.format(new InetSocketAddress(InetAddress.getByName("::1"), 7)));
    assertEquals("10.0.0.1:9", SocketAddresses.format(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 9)));
  }

  @Test
  void shows_ipv6_literals_as_people_write_them() {
    assertEquals("::1", SocketAddresses.displayHost("0:0:0:0:0:0:0:1%0"));
    assertEquals("::1", SocketAddresses.displayHost("0:0:0:0:0:0:0:1"));
    assertEquals("fe80::1%eth0", SocketAddresses.displayHost("fe80:0:0:0:0:0:0:1%eth0"));
    assertEquals("127.0.0.1", SocketAddresses.displayHost("127.0.0.1"));
    assertEquals("not:an:address", SocketAddresses.displayHost("not:an:address"));
  }
}
