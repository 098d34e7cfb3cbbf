package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A warm-up round sends only what keeps the unanswered datagrams within the window, whatever stalled before it. */
class SocketWarmUpTest {

  @ParameterizedTest(name = "window {0}, sent {1}, received {2}: {3} more")
  @CsvSource({
      "51, 102, 102, 51",  // every reply back: a full window
      "51, 102,  71, 20",  // some back: topped up to the window
      "51,  51,   0,  0",  // a stall with no reply yet: nothing more
      "32, 100,   0,  0",  // more unanswered than the window: never negative
  })
  void a_round_tops_up_to_the_window(int window, long sent, long received, long room) {
    assertEquals(room, SocketWarmUp.room(window, sent, received));
  }
}
