package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.server.ReplyGuard.Decision;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ReplyGuardTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  private static GuardSettings resolve(GuardSettings.Mode mode, String bind, Long rate, Long burst,
                                       boolean allowAmplification) throws Exception {
    return GuardSettings.resolve(mode, ip(bind), rate, burst, null, allowAmplification);
  }

  @Test
  void loopback_auto_answers_anything_but_reflector_ports() throws Exception {
    ReplyGuard guard = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, "127.0.0.1", null, null, false), () -> 0L);
    assertNull(guard.limiter());
    for (int i = 0; i < 10_000; i++) {
      assertEquals(Decision.ANSWER, guard.decide(LOOPBACK, 40000, 1, 16));
    }
    for (int port : new int[] {0, 7, 19, 53, 123, 161, 1900, 11211}) {
      assertEquals(Decision.REFLECTOR_PORT, guard.decide(LOOPBACK, port, 10, 10), "port " + port);
    }
    assertEquals(Decision.ANSWER, guard.decide(LOOPBACK, 8, 10, 10));
  }

  @Test
  void public_bind_drops_amplifying_replies_unless_allowed() throws Exception {
    for (String bind : new String[] {"0.0.0.0", "::", "192.0.2.10", "2001:db8::1"}) {
      ReplyGuard guard = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, bind, null, null, false), () -> 0L);
      assertEquals(Decision.AMPLIFICATION, guard.decide(LOOPBACK, 40000, 1, 16), bind);
      assertEquals(Decision.ANSWER, guard.decide(LOOPBACK, 40000, 16, 16), bind);
      assertEquals(Decision.ANSWER, guard.decide(LOOPBACK, 40000, 17, 16), bind);
    }
    ReplyGuard allowing = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, "0.0.0.0", null, null, true), () -> 0L);
    assertEquals(Decision.ANSWER, allowing.decide(LOOPBACK, 40000, 1, 16));
  }

  @Test
  void public_bind_rate_limits_by_default_and_rate_limit_zero_turns_it_off() throws Exception {
    GuardSettings settings = resolve(GuardSettings.Mode.AUTO, "0.0.0.0", null, null, false);
    assertEquals(GuardSettings.DEFAULT_PUBLIC_RATE_LIMIT, settings.rateLimitPps());
    assertEquals(2 * GuardSettings.DEFAULT_PUBLIC_RATE_LIMIT, settings.burst());
    ReplyGuard guard = new ReplyGuard(settings, () -> 0L);
    int answered = 0;
    for (int i = 0; i < 5000; i++) {
      answered += guard.decide(LOOPBACK, 40000, 10, 10) == Decision.ANSWER ? 1 : 0;
    }
    assertEquals(2000, answered);
    assertEquals(Decision.RATE_LIMITED, guard.decide(LOOPBACK, 40000, 10, 10));

    ReplyGuard off = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, "0.0.0.0", 0L, null, false), () -> 0L);
    assertNull(off.limiter());
    for (int i = 0; i < 5000; i++) {
      assertEquals(Decision.ANSWER, off.decide(LOOPBACK, 40000, 10, 10));
    }
  }

  @Test
  void dropped_for_port_or_size_spends_no_token() throws Exception {
    ReplyGuard guard = new ReplyGuard(resolve(GuardSettings.Mode.ON, "127.0.0.1", 1L, 1L, false), () -> 0L);
    assertEquals(Decision.REFLECTOR_PORT, guard.decide(LOOPBACK, 53, 10, 10));
    assertEquals(Decision.AMPLIFICATION, guard.decide(LOOPBACK, 40000, 1, 10));
    assertEquals(Decision.ANSWER, guard.decide(LOOPBACK, 40000, 10, 10));
    assertEquals(Decision.RATE_LIMITED, guard.decide(LOOPBACK, 40001, 10, 10), "same source, other port");
  }

  @Test
  void guards_on_applies_the_public_policy_on_loopback_and_off_removes_it() throws Exception {
    GuardSettings on = resolve(GuardSettings.Mode.ON, "127.0.0.1", null, null, false);
    assertTrue(on.publicPolicy());
    assertTrue(on.amplificationGuard());
    assertEquals(1000, on.rateLimitPps());
    GuardSettings off = resolve(GuardSettings.Mode.OFF, "0.0.0.0", null, null, false);
    assertFalse(off.amplificationGuard());
    assertFalse(off.reflectorPortGuard());
    assertFalse(off.rateLimited());
    ReplyGuard none = new ReplyGuard(off, () -> 0L);
    assertEquals(Decision.ANSWER, none.decide(LOOPBACK, 0, 0, 65507));
    GuardSettings offButLimited = resolve(GuardSettings.Mode.OFF, "0.0.0.0", 5L, null, false);
    assertEquals(5, offButLimited.rateLimitPps());
    assertEquals(10, offButLimited.burst());
  }

  @Test
  void describes_itself_as_key_values() throws Exception {
    assertEquals("rate-limit=1000 burst=2000 max-sources=65536 amplification=drop reflector-ports=drop",
        resolve(GuardSettings.Mode.AUTO, "0.0.0.0", null, null, false).describe());
    assertEquals("rate-limit=off amplification=allow reflector-ports=drop",
        resolve(GuardSettings.Mode.AUTO, "::1", null, null, false).describe());
    assertEquals(GuardSettings.Mode.ON, GuardSettings.Mode.parse(" On "));
  }
}
