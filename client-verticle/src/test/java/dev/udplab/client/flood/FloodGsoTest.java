package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.net.GsoMode;
import dev.udplab.client.report.FloodReport;
import dev.udplab.common.runtime.ProcessProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Floods with several datagrams per write (UDP_SEGMENT): the server must see each sequence number as its own
 * datagram of the flood's size, and the counts stay exact. Needs the native transport, as the flood command has
 * it; the build runs on Linux, where a missing transport is a failure, not a reason to skip.
 */
class FloodGsoTest {

  static {
    ProcessProperties.apply();
  }

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    assertTrue(vertx.isNativeTransportEnabled(), "native transport: " + vertx.unavailableNativeTransportCause());
    assertTrue(SegmentedDatagramPacket.isSupported(), "this kernel has no UDP_SEGMENT");
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private MisbehavingServer deploy(MisbehavingServer server) throws Exception {
    vertx.deployVerticle(server).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return server;
  }

  private FloodReport flood(FloodOptions options, int segmentsPerWrite) throws Exception {
    FloodVerticle[] flood = new FloodVerticle[1];
    FloodReport report = Floods.run(vertx, options.withGso(GsoMode.ON), new SimpleMeterRegistry(), f -> flood[0] = f,
        p -> { }).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(segmentsPerWrite, flood[0].segmentsPerWrite());
    assertEquals(65535, flood[0].pathMtu(), "IP_MTU of the connected socket: the largest IPv4 packet on loopback");
    return report;
  }

  @Test
  void segmented_writes_arrive_as_single_datagrams_and_counts_stay_exact() throws Exception {
    MisbehavingServer server = deploy(new MisbehavingServer(0).drop(s -> s % 10 == 9));
    // unpaced: batches of 256 on 2 sockets, runs of 128 cut into writes of 64; 2000 datagrams fit whole in the
    // server's 2 MiB (granted) buffer, so the kernel cannot drop them however slowly the test server reads
    FloodReport report = flood(Floods.options(server.port(), 2000, 0).withSockets(2), 64);
    assertEquals(2000, server.received());
    assertEquals(Map.of(64, 2000L), server.perSize(), "one datagram per sequence number, each of --size bytes");
    assertEquals(2, server.perSenderPort().size());
    assertEquals(2000, report.sent());
    assertEquals(1800, report.received());
    assertEquals(200, report.lost());
    assertEquals(0, report.duplicates());
    assertEquals(0, report.reordered());
  }

  @Test
  void large_datagrams_are_cut_at_their_own_size() throws Exception {
    MisbehavingServer server = deploy(new MisbehavingServer(0));
    // batched (above the per-datagram rates): 200 per 1 ms tick, writes of up to 46 segments of 1400 bytes
    FloodReport report = flood(Floods.options(server.port(), 500, 200_000).withSizeBytes(1400), 46);
    assertEquals(Map.of(1400, 500L), server.perSize());
    assertEquals(500, report.received());
    assertEquals(0, report.reordered());
  }
}
