package dev.udplab.server.guard;

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

  /** The key as the bytes give it: what {@link SourceRateLimiter#keyOf} must equal however it reads them. */
  private static long keyFromBytes(byte[] b) {
    boolean mapped = b.length == 16 && java.util.Arrays.equals(b, 0, 12,
        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1}, 0, 12);
    if (b.length == 4 || mapped) {
      int at = b.length - 4;
      return 0xFFFF_FFFF_0000_0000L | ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16)
          | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (b[i] & 0xFFL);
    }
    return prefix;
  }

  @Test
  void keys_read_without_copying_equal_keys_from_the_bytes() throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[i % 2 == 0 ? 4 : 16];
      random.nextBytes(bytes);
      if (i % 10 == 1) {
        java.util.Arrays.fill(bytes, 2 + random.nextInt(10), 16, (byte) 0); // runs of zeros
      }
      InetAddress address = InetAddress.getByAddress(bytes);
      assertEquals(keyFromBytes(address.getAddress()), SourceRateLimiter.keyOf(address), address.getHostAddress());
    }
    String[][] same = {
        {"2001:db8:1:2::1", "2001:db8:1:2:0:0:0:1"},
        {"::1", "0:0:0:0:0:0:0:1"},
        {"::", "0:0:0:0:0:0:0:0"},
        {"2001:db8::", "2001:db8:0:0:ffff:1:2:3"},
        {"::ffff:127.0.0.1", "127.0.0.1"},
        {"::ffff:7f00:1", "127.0.0.1"},
        {"0:0:0:0:0:ffff:10.1.2.3", "10.1.2.3"},
        {"fe80::1", "fe80::2"},
        {"fe80:0:0:0:1:2:3:4", "fe80::"},
    };
    for (String[] pair : same) {
      assertEquals(SourceRateLimiter.keyOf(ip(pair[1])), SourceRateLimiter.keyOf(ip(pair[0])), pair[0]);
    }
  }

  @Test
  void the_last_ipv6_source_is_remembered_by_value_not_by_object() throws Exception {
    SourceRateLimiter limiter = new SourceRateLimiter(1, 1, 16, now::get);
    InetAddress a = ip("2001:db8:1::1");
    InetAddress b = ip("2001:db8:2::1");
    assertTrue(limiter.tryAcquire(a));
    assertFalse(limiter.tryAcquire(ip("2001:db8:1::1")), "another object, the same source");
    assertTrue(limiter.tryAcquire(b), "another /64");
    assertFalse(limiter.tryAcquire(a), "back to a: its own bucket, not b's");
    assertTrue(limiter.tryAcquire(ip("192.0.2.1")));
    assertFalse(limiter.tryAcquire(b), "IPv4 in between leaves the IPv6 key alone");
    assertEquals(3, limiter.size());
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
    assertFalse(limiter.tryAcquire(d), "d evicts b, seen this instant, and so starts with no token");
    assertEquals(3, limiter.size());
    assertEquals(1, limiter.evictions());
    assertFalse(limiter.tryAcquire(a), "a kept its empty bucket");
    assertFalse(limiter.tryAcquire(c), "c kept its empty bucket");
    assertFalse(limiter.tryAcquire(b), "b was forgotten and evicts d, seen this instant: no token either");
    now.addAndGet(1_000_000_000L);
    assertTrue(limiter.tryAcquire(d), "d evicts a, seen 1 s ago: one second of tokens at 1/s");
    assertFalse(limiter.tryAcquire(d));
  }

  @Test
  void a_victim_among_churning_sources_gets_no_more_than_its_rate_plus_burst() throws Exception {
    // The attack: one victim interleaved with 300 other spoofed sources through a table of 256, at about
    // 4000 datagrams/s in all. Before the fix every victim request was answered (each return a full bucket).
    long rate = 100;
    long burst = 200;
    SourceRateLimiter limiter = new SourceRateLimiter(rate, burst, 256, now::get);
    InetAddress victim = ip("192.0.2.1");
    long start = now.get();
    int answered = 0;
    for (int round = 0; round < 1500; round++) {
      for (int other = 0; other < 300; other++) {
        limiter.tryAcquire(ipv4(0xC6120000 + other)); // 198.18.x.y
        now.addAndGet(250_000); // 4000 datagrams per second
      }
      answered += limiter.tryAcquire(victim) ? 1 : 0;
      now.addAndGet(250_000);
    }
    double seconds = (now.get() - start) / 1e9;
    assertTrue(answered <= rate * seconds + burst, answered + " answered in " + seconds + " s");
    assertEquals(256, limiter.size(), "memory stays bounded");
    // Alone, the victim gets its burst and then the rate: the same bound, met.
    SourceRateLimiter alone = new SourceRateLimiter(rate, burst, 256, now::get);
    long aloneStart = now.get();
    int aloneAnswered = 0;
    for (int i = 0; i < 1500; i++) {
      aloneAnswered += alone.tryAcquire(victim) ? 1 : 0;
      now.addAndGet(75_250_000L); // the same 1500 requests over the same time
    }
    assertTrue(aloneAnswered <= rate * ((now.get() - aloneStart) / 1e9) + burst);
    assertTrue(answered <= aloneAnswered, answered + " under churn, " + aloneAnswered + " alone");
  }

  @Test
  void a_newcomer_to_a_full_table_starts_with_what_the_evicted_age_refilled() throws Exception {
    SourceRateLimiter limiter = new SourceRateLimiter(1000, 2000, 2, now::get);
    assertTrue(limiter.tryAcquire(ip("192.0.2.1")));
    assertTrue(limiter.tryAcquire(ip("192.0.2.2")));
    now.addAndGet(5_000_000L); // 5 ms: five tokens' worth at 1000/s
    InetAddress newcomer = ip("192.0.2.3");
    int answered = 0;
    for (int i = 0; i < 100; i++) {
      answered += limiter.tryAcquire(newcomer) ? 1 : 0;
    }
    assertEquals(5, answered);
    now.addAndGet(10_000_000_000L); // an idle table: the next evictee is 10 s old, a full bucket's worth
    InetAddress later = ip("192.0.2.4");
    answered = 0;
    for (int i = 0; i < 3000; i++) {
      answered += limiter.tryAcquire(later) ? 1 : 0;
    }
    assertEquals(2000, answered);
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
      // time is frozen, so a newcomer that evicts another starts with no token at all
      int left = tokens.getOrDefault(source, tokens.size() == maxSources ? 0 : 2);
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
