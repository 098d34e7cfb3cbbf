package dev.udplab.server.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udplab.common.net.ProcNetUdp;
import dev.udplab.common.runtime.ProcessProperties;
import dev.udplab.common.testing.Eventually;
import dev.udplab.common.testing.UdpPeers;
import dev.udplab.server.guard.DropReason;
import dev.udplab.server.guard.ReplyPolicy;
import dev.udplab.server.mode.ServerMode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The reply path on the native epoll transport, where it sends with {@code sendmmsg} and UDP GSO: the socket's reads
 * are held while the test queues its datagrams, so that they arrive in one read batch.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class EpollReplyPathTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger gsoWrites = new AtomicInteger();
  private Vertx vertx;
  private UdpServerVerticle server;
  private InetSocketAddress address;

  @BeforeEach
  void startEpoll() {
    assumeTrue(Transport.EPOLL.available(), "native epoll unavailable: " + Transport.EPOLL.unavailabilityCause());
    vertx = Vertx.builder().withTransport(Transport.EPOLL).build();
  }

  @AfterEach
  void close() throws Exception {
    System.clearProperty(ProcessProperties.SERVER_GSO);
    if (vertx != null) {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  /** Deploys {@code mode} with GSO replies on, then holds its reads and counts the GSO writes that leave it. */
  private void deployHeld(ServerMode mode) throws Exception {
    System.setProperty(ProcessProperties.SERVER_GSO, "true");
    server = new UdpServerVerticle(new SocketSettings(mode, "127.0.0.1", 0, null, null, false, true, "hi"),
        ReplyPolicy.ANSWER_ALL, registry, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    vertx.deployVerticle(server).await(5, TimeUnit.SECONDS);
    address = new InetSocketAddress("127.0.0.1", server.bound().address().port());
    DatagramChannel channel = server.channel();
    onEventLoop(channel, () -> {
      channel.config().setAutoRead(false);
      channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
          if (msg instanceof SegmentedDatagramPacket) {
            gsoWrites.incrementAndGet();
          }
          ctx.write(msg, promise);
        }
      });
    });
  }

  /** Lets the socket read again once the kernel holds every datagram sent so far. */
  private void release() throws Exception {
    // the queue grows with each datagram the kernel delivers; wait until it holds all of them
    long[] last = {-1};
    Eventually.await("the datagrams are queued", 5000, () -> {
      long now = ProcNetUdp.system().ownSockets(address.getPort()).rxQueueBytes();
      boolean steady = now > 0 && now == last[0];
      last[0] = now;
      return steady;
    });
    DatagramChannel channel = server.channel();
    onEventLoop(channel, () -> channel.config().setAutoRead(true));
  }

  private void onEventLoop(DatagramChannel channel, Runnable task) throws Exception {
    Promise<Void> done = Promise.promise();
    channel.eventLoop().execute(() -> {
      task.run();
      done.complete();
    });
    done.future().await(5, TimeUnit.SECONDS);
  }

  private static byte[] bytes(int size, int tag) {
    byte[] data = new byte[size];
    java.util.Arrays.fill(data, (byte) tag);
    return data;
  }

  private static List<byte[]> receive(java.nio.channels.DatagramChannel socket, int count) throws Exception {
    List<byte[]> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replies.add(UdpPeers.receive(socket, 5000).data());
    }
    return replies;
  }

  @Test
  void runs_broken_by_size_sender_and_an_empty_datagram_come_back_whole_in_order_counted_once() throws Exception {
    assumeTrue(ProcNetUdp.system().available(), "needs /proc/net/udp (Linux)");
    deployHeld(ServerMode.ECHO);
    List<byte[]> fromA = new ArrayList<>();
    List<byte[]> fromB = new ArrayList<>();
    try (java.nio.channels.DatagramChannel a = UdpPeers.socket("127.0.0.1");
         java.nio.channels.DatagramChannel b = UdpPeers.socket("127.0.0.1")) {
      int tag = 1;
      for (int i = 0; i < 5; i++) {
        fromA.add(bytes(64, tag++));
      }
      fromA.add(new byte[0]);
      for (int i = 0; i < 3; i++) {
        fromA.add(bytes(64, tag++));
      }
      for (int i = 0; i < 2; i++) {
        fromA.add(bytes(100, tag++));
      }
      for (int i = 0; i < 3; i++) {
        fromB.add(bytes(100, tag++));
      }
      byte[] last = bytes(100, tag);
      for (byte[] datagram : fromA) {
        UdpPeers.send(a, address, datagram);
      }
      for (byte[] datagram : fromB) {
        UdpPeers.send(b, address, datagram);
      }
      UdpPeers.send(a, address, last);
      fromA.add(last);
      release();
      List<byte[]> repliesA = receive(a, fromA.size());
      List<byte[]> repliesB = receive(b, fromB.size());
      for (int i = 0; i < fromA.size(); i++) {
        assertArrayEquals(fromA.get(i), repliesA.get(i), "reply " + i + " to A");
      }
      for (int i = 0; i < fromB.size(); i++) {
        assertArrayEquals(fromB.get(i), repliesB.get(i), "reply " + i + " to B");
      }
    }
    int total = fromA.size() + fromB.size();
    ServerMetrics metrics = server.bound().metrics();
    Eventually.await("all sent", 5000, () -> metrics.sentCount() == total);
    assertEquals(total, metrics.receivedCount());
    assertEquals(0, metrics.droppedCount());
    assertTrue(registry.scrape().contains("udp_server_bytes_sent_total{mode=\"echo\",port=\"" + address.getPort()
        + "\"} " + (8 * 64 + 6 * 100) + ".0"), registry.scrape());
    assertTrue(gsoWrites.get() >= 1, "equal replies in one batch went out as GSO writes");
  }

  @Test
  void a_reply_the_kernel_refuses_in_a_batch_is_counted_send_failed_exactly_and_the_rest_are_sent() throws Exception {
    assumeTrue(ProcNetUdp.system().available(), "needs /proc/net/udp (Linux)");
    deployHeld(ServerMode.UPPERCASE);
    // U+0149 upper-cases to U+02BC U+004E: 65506 bytes in, 98259 out, more than a datagram holds (EMSGSIZE)
    byte[] tooLong = "\u0149".repeat(32753).getBytes(StandardCharsets.UTF_8);
    try (java.nio.channels.DatagramChannel a = UdpPeers.socket("127.0.0.1")) {
      UdpPeers.send(a, address, "ab".getBytes(StandardCharsets.US_ASCII));
      UdpPeers.send(a, address, tooLong);
      UdpPeers.send(a, address, "cd".getBytes(StandardCharsets.US_ASCII));
      UdpPeers.send(a, address, "ef".getBytes(StandardCharsets.US_ASCII));
      release();
      List<byte[]> replies = receive(a, 3);
      assertEquals("AB", new String(replies.get(0), StandardCharsets.US_ASCII));
      assertEquals("CD", new String(replies.get(1), StandardCharsets.US_ASCII));
      assertEquals("EF", new String(replies.get(2), StandardCharsets.US_ASCII));
    }
    ServerMetrics metrics = server.bound().metrics();
    Eventually.await("all accounted for", 5000, () -> metrics.sentCount() + metrics.droppedCount() == 4);
    assertEquals(4, metrics.receivedCount());
    assertEquals(3, metrics.sentCount());
    assertEquals(1, metrics.droppedCount(DropReason.SEND_FAILED));
  }
}
