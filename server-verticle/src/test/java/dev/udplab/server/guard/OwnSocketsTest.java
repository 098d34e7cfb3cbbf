package dev.udplab.server.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OwnSocketsTest {

  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger reads = new AtomicInteger();
  private volatile Set<InetAddress> interfaces = Set.of(ip("198.18.0.1"));
  private final OwnSockets own = new OwnSockets(() -> {
    reads.incrementAndGet();
    return interfaces;
  }, now::get);

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetSocketAddress at(String host, int port) {
    return new InetSocketAddress(ip(host), port);
  }

  @Test
  void a_socket_bound_to_one_address_is_that_address_and_port_only() {
    own.add(at("127.0.0.1", 20001));
    own.add(at("::1", 20000));
    assertTrue(own.isOwn(at("127.0.0.1", 20001)));
    assertTrue(own.isOwn(at("::1", 20000)));
    assertFalse(own.isOwn(at("127.0.0.2", 20001)), "another loopback address may be another server");
    assertFalse(own.isOwn(at("127.0.0.1", 20000)));
    assertFalse(own.isOwn(at("127.0.0.1", 40000)));
    assertEquals(0, reads.get(), "no interface is read for sockets bound to one address");
  }

  @Test
  void a_wildcard_socket_is_us_at_every_local_address() {
    own.add(at("0.0.0.0", 20001));
    own.add(at("::", 12000));
    assertTrue(own.isOwn(at("127.0.0.1", 20001)));
    assertTrue(own.isOwn(at("127.9.8.7", 20001)), "all of 127/8 is local");
    assertTrue(own.isOwn(at("::1", 12000)));
    assertTrue(own.isOwn(at("198.18.0.1", 12000)), "an interface address");
    assertFalse(own.isOwn(at("198.18.0.2", 20001)), "another host");
    assertFalse(own.isOwn(at("198.18.0.1", 40000)), "our address, a client's port");
  }

  @Test
  void interface_addresses_are_read_again_at_most_once_a_second() {
    own.add(at("0.0.0.0", 20001));
    for (int i = 0; i < 1000; i++) {
      assertFalse(own.isOwn(at("198.18.0.2", 20001)));
    }
    assertEquals(1, reads.get());
    interfaces = Set.of(ip("198.18.0.1"), ip("198.18.0.2")); // a new address appears
    assertFalse(own.isOwn(at("198.18.0.2", 20001)), "not before a second has passed");
    now.addAndGet(1_000_000_000L);
    assertTrue(own.isOwn(at("198.18.0.2", 20001)));
    assertTrue(own.isOwn(at("198.18.0.2", 20001)));
    assertEquals(2, reads.get(), "a known address needs no read");
    interfaces = null; // unreadable now: what was read stays ours
    now.addAndGet(1_000_000_000L);
    assertFalse(own.isOwn(at("198.18.0.3", 20001)));
    assertTrue(own.isOwn(at("198.18.0.2", 20001)));
  }

  @Test
  void the_guard_drops_our_own_sockets_first_whatever_the_guards() {
    own.add(at("127.0.0.1", 20001));
    for (GuardPolicy policy : GuardPolicy.values()) {
      ReplyPolicy socket = new ReplyGuard(GuardSettings.forBind("127.0.0.1", policy, null, null, 16, false), own)
          .forSocket();
      assertEquals(DropReason.LOOP, socket.decide(at("127.0.0.1", 20001),
          io.netty.buffer.Unpooled.wrappedBuffer(new byte[16]), 16, 0), policy.toString());
    }
  }
}
