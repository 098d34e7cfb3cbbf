package dev.udplab.client.flood;

import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.report.FloodReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Consumer;

/** Test helpers: options for a bounded flood against 127.0.0.1 and a run on the test's Vert.x. */
final class Floods {

  private Floods() {
  }

  /**
   * Bounded, paced, with buffers large enough that the whole flood fits in the kernel's queues, and no warm-up: the
   * server sees exactly {@code count} datagrams.
   */
  static FloodOptions options(int port, long count, long rate) {
    return FloodOptions.to(HostPort.parse("127.0.0.1:" + port)).withCount(count).withRate(rate)
        .withBuffers(new SocketBuffers(1 << 20, 1 << 20)).withDrain(Duration.ofSeconds(1))
        .withInterval(Duration.ofMillis(250)).withWarmup(Duration.ZERO);
  }

  static Future<FloodReport> run(Vertx vertx, FloodOptions options) {
    return run(vertx, options, new SimpleMeterRegistry(), f -> { }, p -> { });
  }

  /** Deploys a flood, runs it, undeploys it; {@code started} gets the verticle (for stopSending). */
  static Future<FloodReport> run(Vertx vertx, FloodOptions options, MeterRegistry registry,
      Consumer<FloodVerticle> started, Consumer<FloodVerticle.FloodProgress> progress) {
    FloodVerticle flood = new FloodVerticle(options, new ClientMetrics(registry).target(options.target().label()),
        progress);
    return vertx.deployVerticle(flood).compose(id -> {
      started.accept(flood);
      return flood.run().compose(report -> vertx.undeploy(id).map(report));
    });
  }
}
