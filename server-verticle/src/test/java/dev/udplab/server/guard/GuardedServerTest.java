package dev.udplab.server.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.udplab.common.testing.Eventually;
import dev.udplab.common.testing.PrometheusText;
import dev.udplab.common.testing.UdpPeers;
import dev.udplab.server.mode.ServerMode;
import dev.udplab.server.socket.ServerMetrics;
import dev.udplab.server.socket.SocketSettings;
import dev.udplab.server.socket.UdpServerVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The guards inside a running server: received = answered + dropped by reason, exactly, with every guard
 * firing. Time is frozen for the rate limiter so the number of tokens is known.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class GuardedServerTest {

  private static final PrintStream NO_CONSOLE = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void received_equals_answered_plus_dropped_with_the_guards_firing(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // --guards on on 127.0.0.1 applies the public policy; the test only injects a frozen clock.
    ReplyPolicy socketPolicy = new ReplyGuard(GuardSettings.forBind("127.0.0.1", GuardPolicy.ON, 1L, 40L,
        GuardSettings.DEFAULT_MAX_SOURCES, false), new OwnSockets()).forSocket();
    ReplyPolicy frozen = (sender, request, reply, now) -> socketPolicy.decide(sender, request, reply, 0L);
    SocketSettings socket = new SocketSettings(ServerMode.GREETING, "127.0.0.1", 0, null, null, false, true,
        "Hello UDP Client");
    UdpServerVerticle server = new UdpServerVerticle(socket, frozen, registry, NO_CONSOLE);
    vertx.deployVerticle(server).await();
    int port = server.bound().address().port();

    int shortRequests = 30;  // 5 bytes < the 16-byte greeting: amplification
    int longRequests = 100;  // 20 bytes: answered while the 40 tokens last, then rate limited
    Checkpoint replies = ctx.checkpoint(40);
    DatagramSocket client = vertx.createDatagramSocket();
    client.handler(packet -> ctx.verify(() -> {
      assertEquals("Hello UDP Client", packet.data().toString());
      replies.flag();
    }));
    client.listen(0, "127.0.0.1").await();
    ServerMetrics metrics = server.bound().metrics();
    int sent = 0;
    for (int i = 0; i < shortRequests + longRequests; i++) {
      client.send(Buffer.buffer(i % 13 == 0 && sent < shortRequests * 13 ? "short" : "twenty bytes " + String.format("%07d", i)),
          port, "127.0.0.1").await();
      sent++;
      // In batches of 10, so the server's receive buffer never overflows and every datagram is counted.
      if (sent % 10 == 0) {
        int target = sent;
        Eventually.await("the server to receive " + target, 5000, () -> metrics.receivedCount() == target);
      }
    }
    Eventually.await("the 40 replies to be sent", 5000, () -> metrics.sentCount() == 40);
    String scrape = registry.scrape();
    String p = "port=" + port;
    long received = PrometheusText.count(scrape, "udp_server_datagrams_received_total", p);
    long answered = PrometheusText.count(scrape, "udp_server_datagrams_sent_total", p);
    long amplification = PrometheusText.count(scrape, "udp_server_datagrams_dropped_total", p, "reason=amplification");
    long rateLimited = PrometheusText.count(scrape, "udp_server_datagrams_dropped_total", p, "reason=rate_limited");
    long dropped = PrometheusText.count(scrape, "udp_server_datagrams_dropped_total", p);
    long shortSent = (shortRequests + longRequests + 12) / 13; // every 13th datagram was short
    ctx.verify(() -> {
      assertEquals(shortRequests + longRequests, received);
      assertEquals(40, answered);
      assertEquals(shortSent, amplification);
      assertEquals(received - shortSent - 40, rateLimited);
      assertEquals(0, PrometheusText.count(scrape, "udp_server_datagrams_dropped_total", p, "reason=reflector_port"));
      assertEquals(0, PrometheusText.count(scrape, "udp_server_datagrams_dropped_total", p, "reason=send_failed"));
      assertEquals(received, answered + dropped, "received = answered + dropped");
    });
  }

  @Test
  void rate_limiter_under_a_many_source_flood_stays_within_max_sources_and_counts_exactly() throws Exception {
    // 200 000 datagrams from 100 000 distinct IPv4 and IPv6 sources through the policy the server uses.
    ReplyGuard guard = new ReplyGuard(GuardSettings.forBind("0.0.0.0", GuardPolicy.AUTO, 1L, 2L, 4096, false),
        new OwnSockets());
    ReplyPolicy policy = guard.forSocket();
    ByteBuf request = Unpooled.wrappedBuffer(new byte[10]);
    long answered = 0;
    long limited = 0;
    long amplified = 0;
    for (int round = 0; round < 2; round++) {
      for (int source = 0; source < 100_000; source++) {
        InetAddress host = source % 2 == 0
            ? InetAddress.getByAddress(new byte[] {10, (byte) (source >> 16), (byte) (source >> 8), (byte) source})
            : InetAddress.getByName("2001:db8:" + Integer.toHexString(source >> 16) + ":"
                + Integer.toHexString(source & 0xFFFF) + "::1");
        DropReason reason = policy.decide(new InetSocketAddress(host, 40000), request, source % 10 == 0 ? 16 : 10, 0L);
        if (reason == null) {
          answered++;
        } else if (reason == DropReason.RATE_LIMITED) {
          limited++;
        } else {
          amplified++;
        }
        assertEquals(true, guard.limiter().size() <= 4096);
      }
    }
    assertEquals(4096, guard.limiter().size());
    assertEquals(20_000, amplified, "every 10th source asks for more than it sent, both rounds");
    // Time is frozen: every newcomer to the full table evicts a source seen that same instant, so it starts with the
    // tokens of no time at all. Only the first 4096, which filled the table, had a full bucket of 2.
    assertEquals(4096, answered);
    assertEquals(180_000 - 4096, limited);
    assertEquals(180_000 - 4096, guard.limiter().evictions());
  }

  @Test
  void a_victim_among_300_churning_loopback_sources_is_not_refilled_by_the_churn(Vertx vertx) throws Exception {
    // The attack with real sources: the whole of 127/8 is loopback, so 300 sockets on 127.0.1.1-127.0.2.50
    // churn a 256-source table between the victim's (127.0.0.1) requests. Time is frozen, so the numbers are exact.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ReplyPolicy socketPolicy = new ReplyGuard(GuardSettings.forBind("127.0.0.1", GuardPolicy.ON, 100L, 200L, 256,
        false), new OwnSockets()).forSocket();
    ReplyPolicy frozen = (sender, request, reply, now) -> socketPolicy.decide(sender, request, reply, 0L);
    SocketSettings socket = new SocketSettings(ServerMode.GREETING, "127.0.0.1", 0, null, null, false, true,
        "Hello UDP Client");
    UdpServerVerticle server = new UdpServerVerticle(socket, frozen, registry, NO_CONSOLE);
    vertx.deployVerticle(server).await();
    InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.bound().address().port());
    ServerMetrics metrics = server.bound().metrics();
    List<DatagramChannel> churn = new ArrayList<>();
    int rounds = 20;
    try (DatagramChannel victim = UdpPeers.socket("127.0.0.1")) {
      for (int i = 0; i < 300; i++) {
        churn.add(UdpPeers.socket("127.0." + (1 + i / 250) + "." + (1 + i % 250)));
      }
      long sent = 0;
      for (int round = 0; round < rounds; round++) {
        UdpPeers.send(victim, target, String.format("victim request %05d", round).getBytes(StandardCharsets.US_ASCII));
        sent++;
        for (int i = 0; i < churn.size(); i++) {
          UdpPeers.send(churn.get(i), target,
              String.format("churn %04d round %04d", i, round).getBytes(StandardCharsets.US_ASCII));
          sent++;
          if (sent % 50 == 0) { // in batches, so that the server's receive buffer never overflows
            long received = sent;
            Eventually.await("the server to receive " + received, 5000, () -> metrics.receivedCount() == received);
          }
        }
      }
      long all = sent;
      Eventually.await("every datagram decided", 5000, () -> metrics.sentCount() + metrics.droppedCount() == all);
      int victimReplies = 0;
      try {
        for (; ; victimReplies++) {
          UdpPeers.receive(victim, 200);
        }
      } catch (SocketTimeoutException noMore) {
        // all read
      }
      // Round 0: the victim and the first 255 others fill the table with full buckets and are answered; the other
      // 45 evict sources seen that instant and start empty. From round 1 every source, the victim included, comes
      // back to a full table: before the fix it came back with a full bucket and all 20 of its requests were
      // answered.
      assertEquals(1, victimReplies, "the victim's answered requests");
      assertEquals(256, metrics.sentCount());
      assertEquals(all - 256, PrometheusText.count(registry.scrape(), "udp_server_datagrams_dropped_total",
          "reason=rate_limited"));
    } finally {
      UdpPeers.closeAll(churn);
    }
  }
}
