package dev.udplab.server.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyGuardTest {

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);

  private static final Map<ReplyGuard, ReplyPolicy> POLICIES = new IdentityHashMap<>();
  private static long requests;

  /**
   * The guard's policy for one socket deciding a request of {@code requestBytes}, each request's bytes unlike the
   * last (so the loop detector sees no repeats).
   */
  private static DropReason decide(ReplyGuard guard, InetSocketAddress sender, int requestBytes, int replyBytes,
                                   long nowNanos) {
    ByteBuf request = Unpooled.buffer(requestBytes);
    for (int i = 0; i < requestBytes; i++) {
      request.writeByte((int) (++requests >>> (8 * (i % 8))));
    }
    return POLICIES.computeIfAbsent(guard, ReplyGuard::forSocket).decide(sender, request, replyBytes, nowNanos);
  }

  /** A sender on 127.0.0.1 at {@code port}. */
  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(LOOPBACK.getAddress(), port);
  }

  private static GuardSettings resolve(GuardPolicy policy, String bind, Long rate, Long burst,
                                       boolean allowAmplification) throws Exception {
    return GuardSettings.resolve(policy, InetAddress.getByName(bind), rate, burst, GuardSettings.DEFAULT_MAX_SOURCES,
        allowAmplification);
  }

  @Test
  void loopback_auto_answers_anything_but_reflector_ports() throws Exception {
    ReplyGuard guard = new ReplyGuard(resolve(GuardPolicy.AUTO, "127.0.0.1", null, null, false), new OwnSockets());
    assertNull(guard.limiter());
    for (int i = 0; i < 10_000; i++) {
      assertNull(decide(guard, LOOPBACK, 1, 16, 0));
    }
    for (int port : new int[] {0, 7, 19, 53, 123, 161, 1900, 11211}) {
      assertEquals(DropReason.REFLECTOR_PORT, decide(guard, loopback(port), 10, 10, 0), "port " + port);
    }
    assertNull(decide(guard, loopback(8), 10, 10, 0));
  }

  @Test
  void public_bind_drops_amplifying_replies_unless_allowed() throws Exception {
    for (String bind : new String[] {"0.0.0.0", "::", "192.0.2.10", "2001:db8::1"}) {
      ReplyGuard guard = new ReplyGuard(resolve(GuardPolicy.AUTO, bind, null, null, false), new OwnSockets());
      assertEquals(DropReason.AMPLIFICATION, decide(guard, LOOPBACK, 1, 16, 0), bind);
      assertNull(decide(guard, LOOPBACK, 16, 16, 0), bind);
      assertNull(decide(guard, LOOPBACK, 17, 16, 0), bind);
    }
    ReplyGuard allowing = new ReplyGuard(resolve(GuardPolicy.AUTO, "0.0.0.0", null, null, true), new OwnSockets());
    assertNull(decide(allowing, LOOPBACK, 1, 16, 0));
  }

  @Test
  void public_bind_rate_limits_by_default_and_rate_limit_zero_turns_it_off() throws Exception {
    GuardSettings settings = resolve(GuardPolicy.AUTO, "0.0.0.0", null, null, false);
    assertEquals(GuardSettings.DEFAULT_PUBLIC_RATE_LIMIT, settings.rateLimitPps());
    assertEquals(2 * GuardSettings.DEFAULT_PUBLIC_RATE_LIMIT, settings.burst());
    ReplyGuard guard = new ReplyGuard(settings, new OwnSockets());
    int answered = 0;
    for (int i = 0; i < 5000; i++) {
      answered += decide(guard, LOOPBACK, 10, 10, 0) == null ? 1 : 0;
    }
    assertEquals(2000, answered);
    assertEquals(DropReason.RATE_LIMITED, decide(guard, LOOPBACK, 10, 10, 0));
    assertNull(decide(guard, LOOPBACK, 10, 10, 1_000_000), "1 ms at 1000/s is one token");
    assertNull(decide(guard, new InetSocketAddress("::1", 40000), 10, 10, 0), "::1 is another source");

    ReplyGuard off = new ReplyGuard(resolve(GuardPolicy.AUTO, "0.0.0.0", 0L, null, false), new OwnSockets());
    assertNull(off.limiter());
    for (int i = 0; i < 5000; i++) {
      assertNull(decide(off, LOOPBACK, 10, 10, 0));
    }
  }

  @Test
  void dropped_for_port_or_size_spends_no_token() throws Exception {
    ReplyGuard guard = new ReplyGuard(resolve(GuardPolicy.ON, "127.0.0.1", 1L, 1L, false), new OwnSockets());
    assertEquals(DropReason.REFLECTOR_PORT, decide(guard, loopback(53), 10, 10, 0));
    assertEquals(DropReason.AMPLIFICATION, decide(guard, LOOPBACK, 1, 10, 0));
    assertNull(decide(guard, LOOPBACK, 10, 10, 0));
    assertEquals(DropReason.RATE_LIMITED, decide(guard, loopback(40001), 10, 10, 0), "same source, other port");
  }

  @Test
  void guards_on_applies_the_public_policy_on_loopback_and_off_removes_it() throws Exception {
    GuardSettings on = resolve(GuardPolicy.ON, "127.0.0.1", null, null, false);
    assertTrue(on.publicPolicy());
    assertTrue(on.amplificationGuard());
    assertEquals(1000, on.rateLimitPps());
    GuardSettings off = resolve(GuardPolicy.OFF, "0.0.0.0", null, null, false);
    assertFalse(off.amplificationGuard());
    assertFalse(off.reflectorPortGuard());
    assertFalse(off.rateLimited());
    assertNull(decide(new ReplyGuard(off, new OwnSockets()), loopback(0), 0, 65507, 0));
    GuardSettings offButLimited = resolve(GuardPolicy.OFF, "0.0.0.0", 5L, null, false);
    assertEquals(5, offButLimited.rateLimitPps());
    assertEquals(10, offButLimited.burst());
  }

  @Test
  void settings_follow_the_bind_address_and_the_flags() {
    int max = GuardSettings.DEFAULT_MAX_SOURCES;
    GuardSettings loopback = GuardSettings.forBind("127.0.0.1", GuardPolicy.AUTO, null, null, max, false);
    assertFalse(loopback.publicPolicy());
    assertFalse(loopback.rateLimited());
    assertTrue(loopback.reflectorPortGuard());
    GuardSettings ipv6Loopback = GuardSettings.forBind("::1", GuardPolicy.AUTO, null, null, max, false);
    assertFalse(ipv6Loopback.publicPolicy());
    GuardSettings wildcard = GuardSettings.forBind("0.0.0.0", GuardPolicy.AUTO, 7L, null, 10, true);
    assertEquals(new GuardSettings(7, 14, 10, false, true, true, true, false), wildcard);
    assertTrue(wildcard.announced());
    GuardSettings forced = GuardSettings.forBind("127.0.0.1", GuardPolicy.ON, null, 3L, max, false);
    assertEquals(new GuardSettings(1000, 3, 65536, true, true, true, true, true), forced);
    assertTrue(forced.announced());
    GuardSettings publicButOff = GuardSettings.forBind("0.0.0.0", GuardPolicy.OFF, null, null, max, false);
    assertTrue(publicButOff.announced(), "a public bind with every guard off still says so");
    assertEquals("rate-limit=off amplification=allow reflector-ports=allow loops=own-sockets", publicButOff.describe());
    assertFalse(loopback.announced());
    GuardSettings unresolvable = GuardSettings.forBind("no-such-host.invalid", GuardPolicy.AUTO, null, null, max, false);
    assertTrue(unresolvable.publicPolicy(), "an address we cannot classify gets the safe policy");
  }

  @Test
  void the_policy_table_says_where_the_public_policy_applies() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    for (String other : new String[] {"0.0.0.0", "::", "192.0.2.10", "2001:db8::1"}) {
      InetAddress bind = InetAddress.getByName(other);
      assertTrue(GuardPolicy.AUTO.publicPolicy(bind), other);
      assertTrue(GuardPolicy.ON.publicPolicy(bind), other);
      assertFalse(GuardPolicy.OFF.publicPolicy(bind), other);
    }
    assertFalse(GuardPolicy.AUTO.publicPolicy(loopback));
    assertFalse(GuardPolicy.AUTO.publicPolicy(InetAddress.getByName("::1")));
    assertTrue(GuardPolicy.ON.publicPolicy(loopback));
    assertFalse(GuardPolicy.OFF.publicPolicy(loopback));
  }

  @Test
  void describes_itself_as_key_values() throws Exception {
    assertEquals("rate-limit=1000 burst=2000 max-sources=65536 amplification=drop reflector-ports=drop loops=drop",
        resolve(GuardPolicy.AUTO, "0.0.0.0", null, null, false).describe());
    assertEquals("rate-limit=off amplification=allow reflector-ports=drop loops=drop",
        resolve(GuardPolicy.AUTO, "::1", null, null, false).describe());
    assertEquals("on", GuardPolicy.ON.toString(), "as --help and the command line spell it");
  }
}
