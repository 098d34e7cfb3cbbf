package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ReplyGuardTest {

  private static final String LOOPBACK = "127.0.0.1";

  private static GuardSettings resolve(GuardSettings.Mode mode, String bind, Long rate, Long burst,
                                       boolean allowAmplification) throws Exception {
    return GuardSettings.resolve(mode, InetAddress.getByName(bind), rate, burst, GuardSettings.DEFAULT_MAX_SOURCES,
        allowAmplification);
  }

  @Test
  void loopback_auto_answers_anything_but_reflector_ports() throws Exception {
    ReplyGuard guard = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, "127.0.0.1", null, null, false));
    assertNull(guard.limiter());
    for (int i = 0; i < 10_000; i++) {
      assertNull(guard.decide(LOOPBACK, 40000, 1, 16, 0));
    }
    for (int port : new int[] {0, 7, 19, 53, 123, 161, 1900, 11211}) {
      assertEquals(DropReason.REFLECTOR_PORT, guard.decide(LOOPBACK, port, 10, 10, 0), "port " + port);
    }
    assertNull(guard.decide(LOOPBACK, 8, 10, 10, 0));
  }

  @Test
  void public_bind_drops_amplifying_replies_unless_allowed() throws Exception {
    for (String bind : new String[] {"0.0.0.0", "::", "192.0.2.10", "2001:db8::1"}) {
      ReplyGuard guard = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, bind, null, null, false));
      assertEquals(DropReason.AMPLIFICATION, guard.decide(LOOPBACK, 40000, 1, 16, 0), bind);
      assertNull(guard.decide(LOOPBACK, 40000, 16, 16, 0), bind);
      assertNull(guard.decide(LOOPBACK, 40000, 17, 16, 0), bind);
    }
    ReplyGuard allowing = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, "0.0.0.0", null, null, true));
    assertNull(allowing.decide(LOOPBACK, 40000, 1, 16, 0));
  }

  @Test
  void public_bind_rate_limits_by_default_and_rate_limit_zero_turns_it_off() throws Exception {
    GuardSettings settings = resolve(GuardSettings.Mode.AUTO, "0.0.0.0", null, null, false);
    assertEquals(GuardSettings.DEFAULT_PUBLIC_RATE_LIMIT, settings.rateLimitPps());
    assertEquals(2 * GuardSettings.DEFAULT_PUBLIC_RATE_LIMIT, settings.burst());
    ReplyGuard guard = new ReplyGuard(settings);
    int answered = 0;
    for (int i = 0; i < 5000; i++) {
      answered += guard.decide(LOOPBACK, 40000, 10, 10, 0) == null ? 1 : 0;
    }
    assertEquals(2000, answered);
    assertEquals(DropReason.RATE_LIMITED, guard.decide(LOOPBACK, 40000, 10, 10, 0));
    assertNull(guard.decide(LOOPBACK, 40000, 10, 10, 1_000_000), "1 ms at 1000/s is one token");
    assertNull(guard.decide("0:0:0:0:0:0:0:1", 40000, 10, 10, 0), "::1 is another source");

    ReplyGuard off = new ReplyGuard(resolve(GuardSettings.Mode.AUTO, "0.0.0.0", 0L, null, false));
    assertNull(off.limiter());
    for (int i = 0; i < 5000; i++) {
      assertNull(off.decide(LOOPBACK, 40000, 10, 10, 0));
    }
  }

  @Test
  void dropped_for_port_or_size_spends_no_token() throws Exception {
    ReplyGuard guard = new ReplyGuard(resolve(GuardSettings.Mode.ON, "127.0.0.1", 1L, 1L, false));
    assertEquals(DropReason.REFLECTOR_PORT, guard.decide(LOOPBACK, 53, 10, 10, 0));
    assertEquals(DropReason.AMPLIFICATION, guard.decide(LOOPBACK, 40000, 1, 10, 0));
    assertNull(guard.decide(LOOPBACK, 40000, 10, 10, 0));
    assertEquals(DropReason.RATE_LIMITED, guard.decide(LOOPBACK, 40001, 10, 10, 0), "same source, other port");
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
    assertNull(new ReplyGuard(off).decide(LOOPBACK, 0, 0, 65507, 0));
    GuardSettings offButLimited = resolve(GuardSettings.Mode.OFF, "0.0.0.0", 5L, null, false);
    assertEquals(5, offButLimited.rateLimitPps());
    assertEquals(10, offButLimited.burst());
  }

  @Test
  void settings_follow_the_server_options() {
    GuardSettings loopback = ReplyGuard.settingsFor(new ServerOptions().setHost("127.0.0.1"));
    assertFalse(loopback.publicPolicy());
    assertFalse(loopback.rateLimited());
    assertTrue(loopback.reflectorPortGuard());
    GuardSettings ipv6Loopback = ReplyGuard.settingsFor(new ServerOptions().setHost("::1"));
    assertFalse(ipv6Loopback.publicPolicy());
    GuardSettings wildcard = ReplyGuard.settingsFor(new ServerOptions().setHost("0.0.0.0").setMaxSources(10)
        .setRateLimit(7).setAllowAmplification(true));
    assertEquals(new GuardSettings(7, 14, 10, false, true, true, false), wildcard);
    assertTrue(wildcard.announced());
    GuardSettings forced = ReplyGuard.settingsFor(new ServerOptions().setGuards(GuardSettings.Mode.ON)
        .setBurst(3));
    assertEquals(new GuardSettings(1000, 3, 65536, true, true, true, true), forced);
    assertTrue(forced.announced());
    GuardSettings publicButOff = ReplyGuard.settingsFor(new ServerOptions().setHost("0.0.0.0")
        .setGuards(GuardSettings.Mode.OFF));
    assertTrue(publicButOff.announced(), "a public bind with every guard off still says so");
    assertEquals("rate-limit=off amplification=allow reflector-ports=allow", publicButOff.describe());
    assertFalse(loopback.announced());
    GuardSettings unresolvable = ReplyGuard.settingsFor(new ServerOptions().setHost("no-such-host.invalid"));
    assertTrue(unresolvable.publicPolicy(), "an address we cannot classify gets the safe policy");
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
