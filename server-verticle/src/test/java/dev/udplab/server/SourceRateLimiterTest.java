package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SourceRateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  private static InetAddress ipv4(int address) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16),
        (byte) (address >>> 8), (byte) address});
  }

  @Test
  void burst_then_exactly_rate_per_second() throws Exception {
    SourceRateLimiter limiter = new SourceRateLimiter(10, 5, 16, now::get);
    InetAddress a = ip("192.0.2.1");
    int allowed = 0;
    for (int i = 0; i < 20; i++) {
      allowed += limiter.tryAcquire(a) ? 1 : 0;
    }
    assertEquals(5, allowed, "a full bucket gives exactly the burst");
    now.addAndGet(99_999_999L);
    assertFalse(limiter.tryAcquire(a), "0.0999... s at 10/s is not yet a token");
    now.addAndGet(1L);
    assertTrue(limiter.tryAcquire(a), "0.1 s at 10/s is exactly one token");
    assertFalse(limiter.tryAcquire(a));
    now.addAndGet(3_600_000_000_000L);
    allowed = 0;
    for (int i = 0; i < 20; i++) {
      allowed += limiter.tryAcquire(a) ? 1 : 0;
    }
    assertEquals(5, allowed, "an idle hour refills to the burst, not beyond");
  }

  @Test
  void fractional_rates_accumulate_exactly() throws Exception {
    // Burst 2 so the bucket never fills up between takes (a full bucket rightly discards the surplus).
    SourceRateLimiter limiter = new SourceRateLimiter(3, 2, 4, now::get);
    InetAddress a = ip("192.0.2.1");
    assertTrue(limiter.tryAcquire(a));
    assertTrue(limiter.tryAcquire(a));
    assertFalse(limiter.tryAcquire(a));
    int allowed = 0;
    // 3/s for 10 s in 1 ms steps: 30 tokens, none lost to rounding.
    for (int ms = 0; ms < 10_000; ms++) {
      now.addAndGet(1_000_000L);
      allowed += limiter.tryAcquire(a) ? 1 : 0;
    }
    assertEquals(30, allowed);
  }

  @Test
  void sources_have_separate_buckets_and_ipv6_shares_a_slash_64() throws Exception {
    SourceRateLimiter limiter = new SourceRateLimiter(1, 1, 16, now::get);
    assertTrue(limiter.tryAcquire(ip("192.0.2.1")));
    assertFalse(limiter.tryAcquire(ip("192.0.2.1")));
    assertTrue(limiter.tryAcquire(ip("192.0.2.2")));
    assertTrue(limiter.tryAcquire(ip("2001:db8:1:2::1")));
    assertFalse(limiter.tryAcquire(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")), "same /64");
    assertTrue(limiter.tryAcquire(ip("2001:db8:1:3::1")), "next /64");
    assertEquals(4, limiter.size());
  }

  @Test
  void keys_separate_families_and_fold_ipv4_mapped() throws Exception {
    assertEquals(SourceRateLimiter.keyOf(ip("127.0.0.1")),
        SourceRateLimiter.keyOf(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0,
            1})));
    assertNotEquals(SourceRateLimiter.keyOf(ip("0.0.0.1")), SourceRateLimiter.keyOf(ip("::1")));
    assertNotEquals(SourceRateLimiter.keyOf(ip("::")), SourceRateLimiter.keyOf(ip("0.0.0.0")));
  }

  @Test
  void text_keys_equal_address_keys() throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[i % 2 == 0 ? 4 : 16];
      random.nextBytes(bytes);
      if (i % 10 == 1) {
        java.util.Arrays.fill(bytes, 2 + random.nextInt(10), 16, (byte) 0); // runs of zeros to compress
      }
      InetAddress address = InetAddress.getByAddress(bytes);
      assertEquals(SourceRateLimiter.keyOf(address), SourceRateLimiter.keyOf(address.getHostAddress()),
          address.getHostAddress());
    }
    String[][] same = {
        {"2001:db8:1:2::1", "2001:db8:1:2:0:0:0:1"},
        {"::1", "0:0:0:0:0:0:0:1"},
        {"::", "0:0:0:0:0:0:0:0"},
        {"2001:db8::", "2001:db8:0:0:ffff:1:2:3"},
        {"::ffff:127.0.0.1", "127.0.0.1"},
        {"::ffff:7f00:1", "127.0.0.1"},
        {"0:0:0:0:0:ffff:10.1.2.3", "10.1.2.3"},
        {"fe80::1%lo", "fe80::2%eth0"},
        {"fe80:0:0:0:1:2:3:4%2", "fe80::"},
    };
    for (String[] pair : same) {
      assertEquals(SourceRateLimiter.keyOf(pair[1]), SourceRateLimiter.keyOf(pair[0]), pair[0]);
      assertEquals(SourceRateLimiter.keyOf(ip(pair[0].replaceAll("%.*", ""))), SourceRateLimiter.keyOf(pair[0]),
          pair[0]);
    }
    assertEquals(SourceRateLimiter.keyOfHost("localhost"), SourceRateLimiter.keyOfHost("localhost"));
    assertNotEquals(SourceRateLimiter.keyOfHost("localhost"), SourceRateLimiter.keyOfHost("127.0.0.1"));
    assertEquals(SourceRateLimiter.keyOf("::1"), SourceRateLimiter.keyOfHost("::1"));
    for (String bad : new String[] {"", "1.2.3", "1.2.3.256", "1.2.3.4.5", "a.b.c.d", "1:2:3", "12345::", "g::"}) {
      assertThrows(IllegalArgumentException.class, () -> SourceRateLimiter.keyOf(bad), bad);
    }
  }

  @Test
  void table_never_exceeds_max_sources_and_evicts_least_recently_seen() throws Exception {
    SourceRateLimiter limiter = new SourceRateLimiter(1, 1, 3, now::get);
    InetAddress a = ip("192.0.2.1");
    InetAddress b = ip("192.0.2.2");
    InetAddress c = ip("192.0.2.3");
    InetAddress d = ip("192.0.2.4");
    assertTrue(limiter.tryAcquire(a));
    assertTrue(limiter.tryAcquire(b));
    assertTrue(limiter.tryAcquire(c));
    assertFalse(limiter.tryAcquire(a), "a is now the most recently seen");
    assertTrue(limiter.tryAcquire(d), "d evicts b, the least recently seen");
    assertEquals(3, limiter.size());
    assertEquals(1, limiter.evictions());
    assertFalse(limiter.tryAcquire(a), "a kept its empty bucket");
    assertFalse(limiter.tryAcquire(c), "c kept its empty bucket");
    assertTrue(limiter.tryAcquire(b), "b was forgotten and starts with a full bucket");
  }

  @Test
  void many_source_flood_stays_bounded_and_counts_exactly_against_a_reference_model() throws Exception {
    int maxSources = 1000;
    SourceRateLimiter limiter = new SourceRateLimiter(1, 2, maxSources, now::get);
    // Reference: an access-ordered LinkedHashMap of remaining tokens; time never advances, so no refill.
    Map<Integer, Integer> tokens = new java.util.LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
        return size() > maxSources;
      }
    };
    Random random = new Random(42);
    long allowed = 0;
    long expectedAllowed = 0;
    for (int i = 0; i < 300_000; i++) {
      // Mostly a spoofed spread over 50 000 sources, with a hot set of 500 that keeps coming back.
      int source = random.nextInt(4) == 0 ? random.nextInt(500) : 500 + random.nextInt(50_000);
      boolean ok = limiter.tryAcquire(ipv4(0x0A000000 + source));
      allowed += ok ? 1 : 0;
      int left = tokens.getOrDefault(source, 2);
      boolean expected = left > 0;
      tokens.put(source, expected ? left - 1 : 0);
      expectedAllowed += expected ? 1 : 0;
      assertEquals(expected, ok, "datagram " + i + " from source " + source);
      assertTrue(limiter.size() <= maxSources);
    }
    assertEquals(maxSources, limiter.size());
    assertEquals(expectedAllowed, allowed);
  }

  @Test
  void rejects_out_of_range_settings() {
    assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(0, 1, 1, now::get));
    assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(1, 0, 1, now::get));
    assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(1, 1, 0, now::get));
    assertThrows(IllegalArgumentException.class,
        () -> new SourceRateLimiter(1, 1, SourceRateLimiter.MAX_SOURCES_LIMIT + 1, now::get));
  }
}
