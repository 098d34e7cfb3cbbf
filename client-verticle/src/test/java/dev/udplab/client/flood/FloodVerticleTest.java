package dev.udplab.client.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.FloodReport.Interval;
import dev.udplab.client.report.FloodReportTest;
import dev.udplab.client.report.JsonReport;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.report.TextReport;
import dev.udplab.common.runtime.ProcessProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class FloodVerticleTest {

  static {
    // before Vert.x loads: its DNS resolver reorders sends to one address from two event loops
    ProcessProperties.apply();
  }

  private static MisbehavingServer deploy(Vertx vertx, MisbehavingServer server) {
    vertx.deployVerticle(server).await();
    return server;
  }

  @Test
  void figures_equal_the_pattern_exactly(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0)
        .drop(s -> s % 10 == 9).duplicate(s -> s % 7 == 6).holdBack(s -> s % 13 == 12));
    int n = 2000;
    long dropped = 0;
    long duplicates = 0;
    long reordered = 0;
    for (long s = 0; s < n; s++) {
      if (s % 10 == 9) {
        dropped++;
        continue;
      }
      if (s % 7 == 6) {
        duplicates++;
      }
      // a held reply overtakes nothing when the next one is dropped
      if (s % 13 == 12 && (s + 1) % 10 != 9) {
        reordered++;
      }
    }
    long expectedReceived = n - dropped;
    long expectedDuplicates = duplicates;
    long expectedReordered = reordered;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<FloodVerticle.FloodProgress> printed = new ArrayList<>();
    Floods.run(vertx, Floods.options(server.port(), n, 4000), registry, f -> { }, printed::add)
        .onComplete(ctx.succeeding(report -> ctx.verify(() -> {
          // what the interval lines print adds up to the summary, the last partial interval included
          assertEquals(report.intervals(), printed.stream().map(FloodVerticle.FloodProgress::interval).toList());
          FloodVerticle.FloodProgress last = printed.get(printed.size() - 1);
          assertEquals(n, last.totalSent());
          assertEquals(expectedReceived, last.totalReceived());
          JsonObject json = JsonReport.of(report);
          assertEquals("sequenced", json.getString("mode"));
          assertEquals(n, json.getLong("sent"));
          assertEquals(expectedReceived, json.getLong("received"));
          assertEquals(n - expectedReceived, json.getLong("lost"));
          assertEquals(expectedDuplicates, json.getLong("duplicates"));
          assertEquals(expectedReordered, json.getLong("reordered"));
          assertEquals(0L, json.getLong("unexpected"));
          assertEquals(FloodReportTest.KEYS, json.fieldNames());
          assertEquals(n, report.intervals().stream().mapToLong(Interval::sent).sum());
          assertEquals(expectedReceived, report.intervals().stream().mapToLong(Interval::received).sum());
          String target = "127.0.0.1:" + server.port();
          assertEquals(n, registry.get("udp_client_datagrams_sent").tag("target", target).counter().count());
          assertEquals(expectedReceived,
              registry.get("udp_client_datagrams_received").tag("target", target).counter().count());
          assertEquals(n - expectedReceived,
              registry.get("udp_client_datagrams_lost").tag("target", target).counter().count());
          assertEquals(expectedDuplicates,
              registry.get("udp_client_datagrams_duplicated").tag("target", target).counter().count());
          assertEquals(expectedReordered,
              registry.get("udp_client_datagrams_reordered").tag("target", target).counter().count());
          assertEquals(expectedReceived, registry.get("udp_client_rtt").tag("target", target).timer().count());
          assertTrue(report.rtt().p50Millis() > 0);
          ctx.completeNow();
        })));
  }

  @Test
  void stragglers_inside_the_drain_are_received_after_it_lost(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0).delay(10, 50).delay(20, 3000));
    FloodOptions options = Floods.options(server.port(), 200, 2000).withDrain(Duration.ofMillis(1000));
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(200, report.sent());
      assertEquals(199, report.received());
      assertEquals(1, report.lost());
      assertEquals(1, report.reordered());
      assertTrue(report.rtt().maxMillis() >= 50, "the straggler's rtt is in the histogram");
      ctx.completeNow();
    })));
  }

  @Test
  void pacing_never_exceeds_the_rate_and_comes_close_to_it(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0).sink());
    long rate = 3000;
    FloodOptions options = Floods.options(server.port(), 3000, rate).withExpect(ReplyKind.NONE)
        .withDrain(Duration.ofMillis(100));
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(3000, report.sent());
      // never faster than asked (the pacer is exact); a backlog of up to a second is caught up, so only stalls
      // near the end of the run slow it (bench/RESULTS.md: what idle and busy machines reached)
      assertTrue(report.sendRate() <= rate * 1.01, "send rate " + report.sendRate());
      assertTrue(report.sendRate() >= rate * 0.75, "send rate " + report.sendRate());
      ctx.completeNow();
    })));
  }

  @Test
  void greeting_replies_are_counted(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0).greeting("Hello UDP Client")
        .drop(s -> s % 10 == 0));
    Floods.run(vertx, Floods.options(server.port(), 1000, 4000)).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      JsonObject json = JsonReport.of(report);
      assertEquals("counted", json.getString("mode"));
      assertEquals(1000L, json.getLong("sent"));
      assertEquals(900L, json.getLong("received"));
      assertEquals(100L, json.getLong("lost"));
      assertEquals(10.0, json.getDouble("lossPercent"));
      assertNull(json.getValue("duplicates"));
      assertNull(json.getValue("reordered"));
      assertNull(json.getJsonObject("rtt").getValue("p99Millis"));
      ctx.completeNow();
    })));
  }

  @Test
  void sink_reports_sent_only(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0).sink());
    FloodOptions options = Floods.options(server.port(), 1000, 5000).withExpect(ReplyKind.NONE)
        .withDrain(Duration.ofMillis(200));
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      JsonObject json = JsonReport.of(report);
      assertEquals("send-only", json.getString("mode"));
      assertEquals(1000L, json.getLong("sent"));
      assertNull(json.getValue("received"));
      assertNull(json.getValue("lost"));
      // the sink reads at its own pace: wait until it has read everything the kernel queued for it
      vertx.setPeriodic(20, id -> {
        if (server.received() == 1000) {
          vertx.cancelTimer(id);
          ctx.completeNow();
        }
      });
    })));
  }

  @Test
  void silence_in_auto_mode_is_total_loss(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0).sink());
    FloodOptions options = Floods.options(server.port(), 300, 5000).withDrain(Duration.ofMillis(200));
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(ReplyKind.SEQUENCED, report.mode());
      assertEquals(300, report.lost());
      ctx.completeNow();
    })));
  }

  @Test
  void a_stop_ends_the_send_phase_and_still_reports(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0));
    FloodVerticle[] flood = new FloodVerticle[1];
    AtomicBoolean stopped = new AtomicBoolean();
    FloodOptions options = Floods.options(server.port(), 0, 2000);
    Floods.run(vertx, options, new SimpleMeterRegistry(), f -> flood[0] = f, p -> {
      if (p.totalSent() > 0 && stopped.compareAndSet(false, true)) {
        flood[0].stopSending();
      }
    }).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertTrue(stopped.get());
      assertTrue(report.sent() > 0);
      assertEquals(report.sent(), report.received());
      assertEquals(0, report.lost());
      assertEquals(report.sent(), server.received());
      ctx.completeNow();
    })));
  }

  @Test
  void count_0_sends_until_the_duration_is_up(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0));
    FloodOptions options = Floods.options(server.port(), 0, 2000).withDuration(Duration.ofMillis(300));
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      // the pacer allows 600 in 300 ms; a stalled machine sends fewer, never more
      assertTrue(report.sent() > 0 && report.sent() <= 600, "sent " + report.sent());
      assertTrue(report.elapsedSeconds() >= 0.3, "elapsed " + report.elapsedSeconds());
      assertEquals(report.sent(), report.received());
      assertEquals(0, report.lost());
      ctx.completeNow();
    })));
  }

  @Test
  void server_restarted_mid_flood_shows_as_loss(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer first = new MisbehavingServer(0);
    String[] firstId = new String[1];
    firstId[0] = vertx.deployVerticle(first).await();
    int port = first.port();
    MisbehavingServer second = new MisbehavingServer(port);
    Context root = vertx.getOrCreateContext();
    first.onReceived(n -> {
      if (n == 500) {
        // kill it, and bring a new one up on the same port a moment later (from outside its deployment)
        root.runOnContext(x -> vertx.undeploy(firstId[0]).onComplete(ctx.succeeding(v ->
            vertx.setTimer(300, id -> vertx.deployVerticle(second).onFailure(ctx::failNow)))));
      }
    });
    FloodOptions options = Floods.options(port, 3000, 1500);
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(3000, report.sent());
      assertTrue(report.received() >= 500 + 1, "answers after the restart: " + report.received());
      assertTrue(report.lost() > 0, "the gap is loss");
      assertEquals(report.sent() - report.received(), report.lost());
      assertEquals(first.received() + second.received(), report.received());
      ctx.completeNow();
    })));
  }

  @Test
  void nobody_listening_is_total_loss_not_a_crash(Vertx vertx, VertxTestContext ctx) {
    DatagramSocket probe = vertx.createDatagramSocket();
    int port = probe.listen(0, "127.0.0.1").await().localAddress().port();
    probe.close().await();
    FloodOptions options = Floods.options(port, 500, 5000).withDrain(Duration.ofMillis(200));
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(500, report.sent());
      assertEquals(0, report.received());
      assertEquals(500, report.lost());
      ctx.completeNow();
    })));
  }

  @Test
  void unpaced_with_room_for_everything_is_exact(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0).drop(s -> s % 10 == 9));
    // 1000 datagrams fit whole in 1 MiB (2 MiB granted) buffers at ~830 bytes each: the kernel cannot drop
    Floods.run(vertx, Floods.options(server.port(), 1000, 0)).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(1000, report.sent());
      assertEquals(900, report.received());
      assertEquals(100, report.lost());
      assertEquals(0, report.duplicates());
      ctx.completeNow();
    })));
  }

  @Test
  void k_sockets_are_k_flows(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0));
    FloodOptions options = Floods.options(server.port(), 900, 3000).withSockets(3);
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(900, report.received());
      assertEquals(3, server.perSenderPort().size());
      // a third each, give or take one burst (4 ticks' worth at 3000 pps) dealt in runs
      server.perSenderPort().values().forEach(n -> assertTrue(Math.abs(n - 300) <= 12, "per socket " + n));
      // each tick's datagrams go out as one contiguous run per socket, so one in-order server sees no reordering
      assertEquals(0, report.reordered());
      ctx.completeNow();
    })));
  }

  @Test
  void a_stall_on_the_flood_loop_shows_in_its_self_check(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0));
    FloodVerticle[] flood = new FloodVerticle[1];
    AtomicBoolean stalled = new AtomicBoolean();
    Floods.run(vertx, Floods.options(server.port(), 2000, 2000), new SimpleMeterRegistry(), f -> flood[0] = f, p -> {
      if (stalled.compareAndSet(false, true)) {
        flood[0].onEventLoop(() -> {
          long until = System.nanoTime() + 50_000_000L;
          while (System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
          }
        });
      }
    }).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      assertEquals(2000, report.received());
      FloodReport.Stalls stalls = report.fidelity().clientStalls();
      assertTrue(stalls.count() >= 1, "stalls " + stalls);
      assertTrue(stalls.maxMillis() >= 49 && stalls.maxMillis() < 1000, "longest " + stalls.maxMillis());
      assertTrue(stalls.over1msMillis() >= stalls.maxMillis());
      JsonObject json = JsonReport.of(report);
      assertEquals(Set.of("count", "maxMillis", "over1msMillis"), json.getJsonObject("clientStalls").fieldNames());
      assertTrue(json.getJsonObject("clientStalls").getLong("count") >= 1);
      // the datagrams due during the stall left late: counted from their intended times, they waited 50 ms
      assertTrue(report.fidelity().rttFromIntended().maxMillis() >= 45, "" + report.fidelity().rttFromIntended());
      String text = TextReport.summary(report);
      // the line comes when the longest stall is longer than the RTT p99 (always so on a quiet machine; a loaded one
      // can delay replies past the injected stall)
      assertEquals(stalls.maxMillis() > report.rtt().p99Millis(),
          text.contains("this client's own event loop stalled for up to"), text);
      assertTrue(text.contains("from the intended send times"), text);
      ctx.completeNow();
    })));
  }

  @Test
  void the_warm_up_goes_to_the_server_but_not_into_the_report(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FloodOptions options = Floods.options(server.port(), 500, 2000).withWarmup(Duration.ofMillis(200));
    Floods.run(vertx, options, registry, f -> { }, p -> { }).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      FloodReport.Warmup warmup = report.fidelity().warmup();
      assertEquals(500, report.sent());
      assertEquals(500, report.received());
      assertEquals(0, report.unexpected());
      assertTrue(warmup.sent() > 0 && warmup.sent() <= 400, "warm-up " + warmup);
      assertEquals(warmup.sent(), warmup.received());
      assertTrue(warmup.seconds() >= 0.2, "warm-up " + warmup);
      assertEquals(500 + warmup.sent(), server.received(), "the server counts both");
      String target = "127.0.0.1:" + server.port();
      assertEquals(500, registry.get("udp_client_datagrams_sent").tag("target", target).counter().count(),
          "the warm-up is in no udp_client_* meter but its own two");
      assertEquals(500, registry.get("udp_client_rtt").tag("target", target).timer().count());
      assertEquals(warmup.sent(), registry.get("udp_client_warmup_datagrams_sent").tag("target", target).counter()
          .count());
      assertEquals(warmup.received(), registry.get("udp_client_warmup_datagrams_received").tag("target", target)
          .counter().count());
      JsonObject json = JsonReport.of(report).getJsonObject("warmup");
      assertEquals(Set.of("sent", "received", "seconds"), json.fieldNames());
      assertEquals(warmup.sent(), json.getLong("sent"));
      assertEquals(500, report.intervals().stream().mapToLong(Interval::sent).sum(), "no warm-up in the intervals");
      ctx.completeNow();
    })));
  }

  @Test
  void paced_runs_report_how_exactly_they_kept_time(Vertx vertx, VertxTestContext ctx) {
    MisbehavingServer server = deploy(vertx, new MisbehavingServer(0).sink());
    FloodOptions options = Floods.options(server.port(), 1000, 5000).withExpect(ReplyKind.NONE)
        .withDrain(Duration.ofMillis(100));
    Floods.run(vertx, options).onComplete(ctx.succeeding(report -> ctx.verify(() -> {
      FloodReport.Pacing pacing = report.fidelity().pacing();
      assertEquals(FloodReport.Pacing.PER_DATAGRAM, pacing.mode());
      assertEquals(200.0, pacing.intervalMicros());
      // not a timing test: only that the figures are there and sane (bench/RESULTS.md has the measured ones)
      assertTrue(pacing.gapError().p50() >= 0 && pacing.gapError().p50() <= pacing.gapError().max());
      assertTrue(pacing.late().p99() >= pacing.late().p50());
      JsonObject json = JsonReport.of(report).getJsonObject("pacing");
      assertEquals(Set.of("mode", "intervalMicros", "gapErrorMicros", "lateMicros"), json.fieldNames());
      assertEquals(Set.of("p50", "p99", "max"), json.getJsonObject("gapErrorMicros").fieldNames());
      ctx.completeNow();
    })));
  }
}
