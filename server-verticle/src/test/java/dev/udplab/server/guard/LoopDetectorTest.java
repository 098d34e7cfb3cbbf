package dev.udplab.server.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.server.mode.Responder;
import dev.udplab.server.mode.ServerMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The loop rule without sockets: two servers (each mode's responder behind the guard's policy, as the server wires
 * them) exchanging datagrams on a simulated network, started by one spoofed datagram; and the clients the rule must
 * leave alone.
 */
class LoopDetectorTest {

  private static final long HOP_NANOS = 100_000; // 100 µs per hop: a LAN
  private static final InetSocketAddress A = new InetSocketAddress(address("198.18.0.1"), 20001);
  private static final InetSocketAddress B = new InetSocketAddress(address("198.18.0.2"), 20001);
  private static final InetSocketAddress CLIENT = new InetSocketAddress(address("198.18.0.3"), 40000);
  private static final List<ServerMode> ANSWERING = List.of(ServerMode.ECHO, ServerMode.UPPERCASE, ServerMode.GREETING);

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One simulated server: a mode's responder and its socket's policy. */
  private static final class Server {
    final Responder responder;
    final ReplyPolicy policy;
    long replies;
    final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);

    Server(ServerMode mode, GuardPolicy guards) {
      responder = mode.newResponder("Hello UDP Client");
      // on 127.0.0.1: auto is the loopback policy, on the public one (whose rate limit a short loop never reaches)
      policy = new ReplyGuard(GuardSettings.forBind("127.0.0.1", guards, null, null, 65_536, false), new OwnSockets())
          .forSocket();
    }

    /** The reply to {@code request} from {@code sender}, or null when none is sent. */
    ByteBuf receive(InetSocketAddress sender, ByteBuf request, long nowNanos) {
      ByteBuf reply = responder.reply(request, UnpooledByteBufAllocator.DEFAULT);
      if (reply == null) {
        return null;
      }
      DropReason reason = policy.decide(sender, request, reply.readableBytes(), nowNanos);
      if (reason != null) {
        drops.merge(reason, 1L, Long::sum);
        return null;
      }
      replies++;
      return reply;
    }
  }

  private record Datagram(InetSocketAddress from, InetSocketAddress to, ByteBuf bytes) {
  }

  /** Replies both servers sent after {@code tokens} spoofed datagrams (source A) reach B; at most 10 000 hops. */
  private static long[] loop(ServerMode modeA, ServerMode modeB, GuardPolicy guards, String spoofed, int tokens) {
    Server a = new Server(modeA, guards);
    Server b = new Server(modeB, guards);
    Deque<Datagram> inFlight = new ArrayDeque<>();
    for (int i = 0; i < tokens; i++) {
      inFlight.add(new Datagram(A, B, Unpooled.copiedBuffer(spoofed, StandardCharsets.UTF_8)));
    }
    long now = 0;
    for (int hop = 0; hop < 10_000 && !inFlight.isEmpty(); hop++) {
      Datagram d = inFlight.poll();
      now += HOP_NANOS;
      Server to = d.to() == A ? a : b;
      ByteBuf reply = to.receive(d.from(), d.bytes(), now);
      if (reply != null) {
        inFlight.add(new Datagram(d.to(), d.from(), reply));
      }
    }
    assertTrue(inFlight.isEmpty(), modeA + "-" + modeB + ": the loop never ended");
    return new long[] {a.replies + b.replies, a.drops.getOrDefault(DropReason.LOOP, 0L)
        + b.drops.getOrDefault(DropReason.LOOP, 0L)};
  }

  @Test
  void one_spoofed_datagram_between_two_servers_of_any_modes_yields_a_handful_of_replies() {
    // rows: the spoofed source's mode (echo, uppercase, greeting); columns: the target's. Uppercase takes one round
    // to reach its fixed point, greeting one to replace the spoofed bytes, so the pairs with them need one more.
    long[][] replies = {{6, 7, 7}, {8, 7, 7}, {8, 8, 7}};
    for (GuardPolicy guards : new GuardPolicy[] {GuardPolicy.AUTO, GuardPolicy.ON}) {
      for (int a = 0; a < ANSWERING.size(); a++) {
        for (int b = 0; b < ANSWERING.size(); b++) {
          long[] counts = loop(ANSWERING.get(a), ANSWERING.get(b), guards, "a spoofed request, lower case", 1);
          String pair = ANSWERING.get(a) + " (spoofed source) and " + ANSWERING.get(b) + " (target), --guards "
              + guards;
          assertEquals(replies[a][b], counts[0], pair + ": replies of both servers");
          assertEquals(1, counts[1], pair + ": one loop drop ends it");
        }
      }
    }
  }

  @Test
  void many_spoofed_datagrams_in_flight_end_too() {
    for (int tokens : new int[] {2, 5, 50}) {
      long[] counts = loop(ServerMode.ECHO, ServerMode.ECHO, GuardPolicy.AUTO, "ping", tokens);
      assertTrue(counts[0] <= 8L * tokens, tokens + " tokens: " + counts[0]);
      assertEquals(tokens, counts[1], "one loop drop per spoofed datagram");
    }
  }

  @Test
  void guards_off_leaves_loops_with_other_hosts_alone() {
    Server echo = new Server(ServerMode.ECHO, GuardPolicy.OFF);
    for (int i = 0; i < 100; i++) {
      assertTrue(echo.receive(A, Unpooled.copiedBuffer("same", StandardCharsets.UTF_8), i * HOP_NANOS) != null);
    }
  }

  /** Answered of {@code count} requests of {@code content(i)} sent {@code gapNanos} after each reply. */
  private static int pingPong(ServerMode mode, int count, long gapNanos, java.util.function.IntFunction<String> content) {
    Server server = new Server(mode, GuardPolicy.AUTO);
    int answered = 0;
    long now = 0;
    for (int i = 0; i < count; i++) {
      now += gapNanos;
      answered += server.receive(CLIENT, Unpooled.copiedBuffer(content.apply(i), StandardCharsets.UTF_8), now) != null
          ? 1 : 0;
    }
    return answered;
  }

  @Test
  void clients_whose_datagrams_change_are_never_dropped() {
    // the lab's seq 1 20 | udp-client send, at once after each reply
    assertEquals(20, pingPong(ServerMode.ECHO, 20, HOP_NANOS, i -> Integer.toString(i + 1)));
    // a flood's header: sequence number and send time, then padding; 1400 bytes so the whole-datagram hash is used
    String padding = ".".repeat(1360);
    assertEquals(10_000, pingPong(ServerMode.ECHO, 10_000, 1000,
        i -> String.format("SEQ %016d T %016d%n", i, 7L * i) + padding));
    // the same header and trailer with a counter in the middle
    assertEquals(1000, pingPong(ServerMode.GREETING, 1000, HOP_NANOS,
        i -> "x".repeat(100) + i + "y".repeat(100)));
  }

  @Test
  void a_constant_client_slower_than_the_window_is_never_dropped() {
    // a person with nc, or a pinger at 1 per second
    assertEquals(100, pingPong(ServerMode.ECHO, 100, LoopDetector.WINDOW_NANOS + 1, i -> "hello"));
    assertEquals(100, pingPong(ServerMode.GREETING, 100, 1_000_000_000L, i -> "Hello UDP Server"));
  }

  @Test
  void a_constant_client_at_full_speed_loses_every_fourth_round_trip() {
    // udp-client send ping ping ping ...: indistinguishable from another echo server
    assertEquals(75, pingPong(ServerMode.ECHO, 100, HOP_NANOS, i -> "ping"));
    // over 64 bytes the first repeat is where the whole datagram is first hashed, so it counts from the second
    assertEquals(76, pingPong(ServerMode.UPPERCASE, 100, HOP_NANOS, i -> "x".repeat(5000)));
  }

  @Test
  void a_source_that_has_begun_to_repeat_keeps_its_slot_against_others() {
    LoopDetector loops = new LoopDetector();
    ByteBuf same = Unpooled.copiedBuffer("loop", StandardCharsets.UTF_8);
    long now = 0;
    int dropped = 0;
    for (int round = 0; round < 4; round++) {
      dropped += loops.endsLoop(A, same, now) ? 1 : 0;
      loops.answered(now);
      if (round == 0) {
        continue; // its first repeat comes before the others
      }
      // 2000 other sources between two of its datagrams: some share its slot
      for (int other = 0; other < 2000; other++) {
        InetSocketAddress source = new InetSocketAddress(CLIENT.getAddress(), 1024 + other);
        assertFalse(loops.endsLoop(source, Unpooled.copiedBuffer("o" + round, StandardCharsets.UTF_8), now));
        loops.answered(now);
      }
      now += HOP_NANOS;
    }
    assertEquals(1, dropped, "the third repeat in a row");
  }
}
