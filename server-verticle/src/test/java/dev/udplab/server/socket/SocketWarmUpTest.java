package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A warm-up round sends only what keeps the unanswered datagrams within the window, whatever stalled before it. */
class SocketWarmUpTest {

  @Test
  void a_round_after_every_reply_sends_a_full_window() {
    assertEquals(51, SocketWarmUp.room(51, 102, 102));
  }

  @Test
  void a_round_after_some_replies_tops_up_to_the_window() {
    assertEquals(20, SocketWarmUp.room(51, 102, 71));
  }

  @Test
  void a_round_after_a_stall_with_no_reply_sends_nothing_more() {
    assertEquals(0, SocketWarmUp.room(51, 51, 0));
  }

  @Test
  void unanswered_beyond_the_window_never_makes_a_negative_round() {
    assertEquals(0, SocketWarmUp.room(32, 100, 0));
  }
}
