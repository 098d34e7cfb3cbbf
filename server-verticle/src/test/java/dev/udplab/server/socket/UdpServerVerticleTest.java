package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.testing.Eventually;
import dev.udplab.server.guard.DropReason;
import dev.udplab.server.guard.ReplyPolicy;
import dev.udplab.server.mode.ServerMode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each mode deployed on 127.0.0.1:0 in the test's Vert.x (NIO transport), talked to over real sockets. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class UdpServerVerticleTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  /** A socket of {@code mode} on 127.0.0.1:0 greeting with {@code message}, with the given buffer requests. */
  private Future<UdpServerVerticle> deploy(Vertx vertx, ServerMode mode, String message, Integer rcvbuf, Integer sndbuf,
      boolean quiet, ReplyPolicy policy) {
    SocketSettings settings = new SocketSettings(mode, "127.0.0.1", 0, rcvbuf, sndbuf, false, quiet, message);
    UdpServerVerticle verticle = new UdpServerVerticle(settings, policy, registry,
        new PrintStream(console, true, StandardCharsets.UTF_8));
    return vertx.deployVerticle(verticle).map(id -> verticle);
  }

  private Future<UdpServerVerticle> deploy(Vertx vertx, ServerMode mode) {
    return deploy(vertx, mode, "Hello UDP Client", null, null, false, ReplyPolicy.ANSWER_ALL);
  }

  /**
   * Sends {@code payload} from a fresh plain {@link java.net.DatagramSocket} on a worker thread and completes
   * with the first reply. Not a Vert.x socket: Netty silently skips zero-length writes, and an independent
   * client also checks the wire format.
   */
  private static Future<Buffer> request(Vertx vertx, int port, Buffer payload) {
    return vertx.executeBlocking(() -> {
      try (java.net.DatagramSocket client = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        client.setSoTimeout(5000);
        byte[] data = payload.getBytes();
        client.send(new java.net.DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
        java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[65536], 65536);
        client.receive(reply);
        return Buffer.buffer(Arrays.copyOf(reply.getData(), reply.getLength()));
      }
    });
  }

  /** Sends each payload in order from one plain socket, expecting no reply. */
  private static Future<Void> sendOnly(Vertx vertx, int port, String... payloads) {
    return vertx.executeBlocking(() -> {
      try (java.net.DatagramSocket client = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        for (String payload : payloads) {
          byte[] data = payload.getBytes(StandardCharsets.UTF_8);
          client.send(new java.net.DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
        }
        return null;
      }
    });
  }

  private static Buffer bytes(int length) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    return Buffer.buffer(data);
  }

  @Test
  void echo_returns_0_1_and_65507_byte_datagrams_whole(Vertx vertx, VertxTestContext ctx) {
    Checkpoint replies = ctx.checkpoint(3);
    deploy(vertx, ServerMode.ECHO).onComplete(ctx.succeeding(server -> {
      int port = server.bound().address().port();
      for (int size : new int[] {0, 1, 65507}) {
        Buffer payload = bytes(size);
        request(vertx, port, payload).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals(size, reply.length());
          assertArrayEquals(payload.getBytes(), reply.getBytes());
          replies.flag();
        })));
      }
    }));
  }

  @Test
  void echo_counts_every_datagram_and_byte_exactly(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, ServerMode.ECHO).onComplete(ctx.succeeding(server -> {
      int port = server.bound().address().port();
      Future<Buffer> all = Future.succeededFuture();
      for (int size : new int[] {0, 10, 65507}) {
        all = all.compose(previous -> request(vertx, port, bytes(size)));
      }
      all.compose(last -> Eventually.eventually(vertx, () -> server.bound().metrics().sentCount() == 3))
          .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            ServerMetrics metrics = server.bound().metrics();
            assertEquals(3, metrics.receivedCount());
            assertEquals(0, metrics.droppedCount());
            String tags = "{mode=\"echo\",port=\"" + port + "\"}";
            String scrape = registry.scrape();
            assertTrue(scrape.contains("udp_server_bytes_received_total" + tags + " 65517.0"), scrape);
            assertTrue(scrape.contains("udp_server_bytes_sent_total" + tags + " 65517.0"), scrape);
            ctx.completeNow();
          })));
    }));
  }

  @Test
  void uppercase_answers_text_in_capitals_and_invalid_utf8_without_failing(Vertx vertx, VertxTestContext ctx) {
    Checkpoint replies = ctx.checkpoint(3);
    deploy(vertx, ServerMode.UPPERCASE).onComplete(ctx.succeeding(server -> {
      int port = server.bound().address().port();
      request(vertx, port, Buffer.buffer("hello, straße")).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        assertEquals("HELLO, STRASSE", reply.toString(StandardCharsets.UTF_8));
        replies.flag();
      })));
      byte[] invalid = {'a', (byte) 0xff, 'b', (byte) 0xc3};
      request(vertx, port, Buffer.buffer(invalid)).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        assertArrayEquals(new byte[] {'A', (byte) 0xff, 'B', (byte) 0xc3}, reply.getBytes());
        replies.flag();
      })));
      request(vertx, port, Buffer.buffer()).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        assertEquals(0, reply.length());
        replies.flag();
      })));
    }));
  }

  @Test
  void a_reply_the_kernel_refuses_is_counted_as_send_failed(Vertx vertx, VertxTestContext ctx) {
    // U+0149 is 2 bytes in UTF-8 and upper-cases to U+02BC U+004E, 3 bytes: 65506 bytes in, 98259 out.
    Buffer request = Buffer.buffer("\u0149".repeat(32753), "UTF-8");
    deploy(vertx, ServerMode.UPPERCASE).onComplete(ctx.succeeding(server -> {
      vertx.createDatagramSocket().send(request, server.bound().address().port(), "127.0.0.1")
          .compose(sent -> Eventually.eventually(vertx, () -> server.bound().metrics().droppedCount() == 1))
          .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertEquals(65506, request.length());
            assertEquals(1, server.bound().metrics().receivedCount());
            assertEquals(0, server.bound().metrics().sentCount());
            assertEquals(1, server.bound().metrics().droppedCount(DropReason.SEND_FAILED));
            ctx.completeNow();
          })));
    }));
  }

  @Test
  void greeting_answers_its_message(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, ServerMode.GREETING, "Grüß dich, client", null, null, false, ReplyPolicy.ANSWER_ALL)
        .compose(server -> request(vertx, server.bound().address().port(), Buffer.buffer("Hello UDP Server")))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertEquals("Grüß dich, client", reply.toString(StandardCharsets.UTF_8));
          ctx.completeNow();
        })));
  }

  @Test
  void sink_counts_and_never_answers(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, ServerMode.SINK).onComplete(ctx.succeeding(server -> {
      sendOnly(vertx, server.bound().address().port(), "Hello, World!", "")
          .compose(sent -> Eventually.eventually(vertx, () -> server.bound().metrics().receivedCount() == 2))
          .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertEquals(0, server.bound().metrics().sentCount());
            assertEquals(0, server.bound().metrics().droppedCount());
            ctx.completeNow();
          })));
    }));
  }

  @Test
  void a_reply_policy_drop_is_counted_with_its_reason_and_not_sent(Vertx vertx, VertxTestContext ctx) {
    ReplyPolicy dropLarger = (sender, request, replyBytes, now) ->
        replyBytes > request.readableBytes() ? DropReason.AMPLIFICATION : null;
    deploy(vertx, ServerMode.GREETING, "Hello UDP Client", null, null, false, dropLarger).onComplete(ctx.succeeding(server -> {
      int port = server.bound().address().port();
      DatagramSocket client = vertx.createDatagramSocket();
      client.handler(packet -> ctx.failNow("a dropped reply was sent"));
      client.listen(0, "127.0.0.1")
          .compose(bound -> bound.send("hi", port, "127.0.0.1"))
          .compose(sent -> Eventually.eventually(vertx, () -> server.bound().metrics().droppedCount() == 1))
          // A request longer than the greeting passes the policy: proof the policy sees both sizes.
          .compose(v -> request(vertx, port, Buffer.buffer("x".repeat(40))))
          .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
            assertEquals("Hello UDP Client", reply.toString());
            assertEquals(2, server.bound().metrics().receivedCount());
            assertEquals(1, server.bound().metrics().droppedCount(DropReason.AMPLIFICATION));
            ctx.completeNow();
          })));
    }));
  }

  @Test
  void console_shows_the_sender_and_message_like_the_lab_server(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, ServerMode.GREETING)
        .compose(server -> request(vertx, server.bound().address().port(), Buffer.buffer("Hello UDP Server")))
        .compose(reply -> Eventually.eventually(vertx, () -> console.toString(StandardCharsets.UTF_8).contains("Hello UDP Server")))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          String line = console.toString(StandardCharsets.UTF_8).trim();
          assertTrue(line.matches("greeting from 127\\.0\\.0\\.1:\\d+ \\(16 bytes\\): Hello UDP Server"), line);
          ctx.completeNow();
        })));
  }

  @Test
  void quiet_prints_nothing_per_datagram(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, ServerMode.ECHO, "", null, null, true, ReplyPolicy.ANSWER_ALL)
        .compose(server -> request(vertx, server.bound().address().port(), Buffer.buffer("psst"))
            .compose(reply -> vertx.undeploy(vertx.deploymentIDs().iterator().next())))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals("", console.toString(StandardCharsets.UTF_8));
          ctx.completeNow();
        })));
  }

  @Test
  void granted_buffer_sizes_are_read_back_from_the_socket(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, ServerMode.ECHO, "", 100_000, 50_000, false, ReplyPolicy.ANSWER_ALL).onComplete(ctx.succeeding(server -> ctx.verify(() -> {
          // Linux doubles the request (below net.core.rmem_max / wmem_max, 4 MiB here and 208 KiB by default).
          assertEquals(200_000, server.bound().receiveBufferBytes());
          assertEquals(100_000, server.bound().sendBufferBytes());
          String scrape = registry.scrape();
          String tags = "{mode=\"echo\",port=\"" + server.bound().address().port() + "\"}";
          assertTrue(scrape.contains("udp_server_socket_receive_buffer_bytes" + tags + " 200000.0"), scrape);
          assertTrue(scrape.contains("udp_server_socket_send_buffer_bytes" + tags + " 100000.0"), scrape);
          ctx.completeNow();
        })));
  }

  @Test
  void a_small_rcvbuf_still_receives_65507_byte_datagrams_whole(Vertx vertx, VertxTestContext ctx) {
    Buffer payload = bytes(65507);
    deploy(vertx, ServerMode.ECHO, "", 70_000, null, false, ReplyPolicy.ANSWER_ALL)
        .compose(server -> request(vertx, server.bound().address().port(), payload))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertArrayEquals(payload.getBytes(), reply.getBytes());
          ctx.completeNow();
        })));
  }
}
