package dev.udplab.client.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.send.ReplyTracker.Expiry;
import dev.udplab.client.send.ReplyTracker.Request;
import org.junit.jupiter.api.Test;

class ReplyTrackerTest {

  @Test
  void a_reply_matches_the_oldest_outstanding_request_of_its_target() {
    ReplyTracker tracker = new ReplyTracker(2, 0);
    Request a0 = tracker.expect(0, "a");
    Request b0 = tracker.expect(0, "b");
    Request a1 = tracker.expect(1, "a");
    assertEquals(3, tracker.outstanding());
    assertSame(a1, tracker.reply(1));
    assertSame(a0, tracker.reply(0));
    assertSame(b0, tracker.reply(0));
    assertEquals(0, tracker.outstanding());
    assertTrue(a0.finished());
  }

  @Test
  void a_reply_with_nothing_outstanding_is_unexpected() {
    ReplyTracker tracker = new ReplyTracker(1, 0);
    assertNull(tracker.reply(0));
    tracker.expect(0, "a");
    tracker.reply(0);
    assertNull(tracker.reply(0));
  }

  @Test
  void timeouts_retry_until_the_attempts_are_spent_then_give_up() {
    ReplyTracker tracker = new ReplyTracker(1, 2);
    Request request = tracker.expect(0, "hello");
    assertEquals(1, tracker.sent(request, 100));
    assertEquals(Expiry.RETRY, tracker.expire(request, 1));
    assertEquals(2, tracker.sent(request, 200));
    assertEquals(200, request.lastSentNanos());
    assertEquals(Expiry.RETRY, tracker.expire(request, 2));
    assertEquals(3, tracker.sent(request, 300));
    assertEquals(Expiry.GIVE_UP, tracker.expire(request, 3));
    assertEquals(0, tracker.outstanding());
    assertEquals(1, tracker.missing().size());
    assertSame(request, tracker.missing().get(0));
    assertNull(tracker.reply(0));
  }

  @Test
  void timers_of_answered_requests_or_older_attempts_are_stale() {
    ReplyTracker tracker = new ReplyTracker(1, 1);
    Request request = tracker.expect(0, "hello");
    tracker.sent(request, 1);
    tracker.sent(request, 2);
    assertEquals(Expiry.STALE, tracker.expire(request, 1));
    tracker.reply(0);
    assertEquals(Expiry.STALE, tracker.expire(request, 2));
    assertTrue(tracker.missing().isEmpty());
  }

  @Test
  void abandoned_requests_are_missing_and_no_longer_match() {
    ReplyTracker tracker = new ReplyTracker(1, 3);
    Request first = tracker.expect(0, "a");
    Request second = tracker.expect(0, "b");
    tracker.abandon(first);
    tracker.abandon(first);
    assertEquals(1, tracker.missing().size());
    assertSame(second, tracker.reply(0));
    assertEquals(Expiry.STALE, tracker.expire(first, 0));
  }

  @Test
  void round_trips_count_from_when_the_kernel_took_the_attempt() {
    ReplyTracker tracker = new ReplyTracker(1, 1);
    Request request = tracker.expect(0, "hello");
    int first = tracker.sent(request, 100);
    assertTrue(tracker.accepted(request, first, 400));
    assertEquals(400, request.lastSentNanos());
    int second = tracker.sent(request, 500);
    assertFalse(tracker.accepted(request, first, 600), "an older attempt needs no timer");
    assertEquals(500, request.lastSentNanos());
    tracker.reply(0);
    assertFalse(tracker.accepted(request, second, 700), "an answered request needs no timer");
  }

  @Test
  void rejects_impossible_shapes() {
    assertThrows(IllegalArgumentException.class, () -> new ReplyTracker(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new ReplyTracker(1, -1));
  }
}
