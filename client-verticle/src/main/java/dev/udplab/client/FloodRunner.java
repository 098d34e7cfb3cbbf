package dev.udplab.client;

import dev.udplab.client.FloodOptions.Expect;
import dev.udplab.client.FloodReport.Mode;
import dev.udplab.client.FloodVerticle.FloodProgress;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Runs floods on a started {@link ClientRuntime} for {@code flood} (single runs, sweeps, probes) and
 * {@code demo}: deploys a {@link FloodVerticle}, ties Ctrl-C to its send phase, prints its header and
 * interval lines, and undeploys it. Blocks, so call it from the main thread, never an event loop.
 */
final class FloodRunner {

  /** Datagrams per second of the one-second warm-up before compared runs. */
  static final int WARM_UP_RATE = 5000;

  private FloodRunner() {
  }

  /**
   * Runs one flood, printing its header and interval lines (or a progress line on a terminal) to
   * {@code text}, or nothing when it is null; Ctrl-C on {@code signal} ends its send phase early.
   */
  static FloodReport run(ClientRuntime runtime, FloodOptions options, StopSignal signal, PrintWriter text,
      boolean terminal) {
    SocketBuffers.Granted granted = options.buffers().granted(options.target());
    ClientMetrics.Target meters = runtime.metrics().target(options.target().label());
    meters.socketBuffers(granted.receiveBytes(), granted.sendBytes());
    int segmentsPerWrite;
    try {
      segmentsPerWrite = UdpGso.segmentsPerWrite(options.gso(), gsoSupported(runtime),
          options.target().address().isLoopbackAddress(), options.sizeBytes());
    } catch (IllegalStateException e) {
      throw CommandException.environment(e.getMessage());
    }
    if (text != null) {
      text.println(FloodReport.header(options.target().label(), options.count(),
          options.duration().toNanos() / 1e9, options.rate(), options.sizeBytes(), granted.receiveBytes(),
          granted.sendBytes(), options.sockets(), segmentsPerWrite));
      String shortfall = options.buffers().shortfall(granted);
      if (shortfall != null) {
        text.println(shortfall);
      }
      if (!terminal) {
        text.println(FloodReport.intervalTitle());
      }
      text.flush();
    }
    Consumer<FloodProgress> progress = p -> {
      if (text == null) {
        return;
      }
      if (terminal) {
        text.print(FloodReport.progressLine(p.interval().second(), p.totalSent(), p.totalReceived(), p.replies()));
      } else {
        text.println(FloodReport.intervalLine(p.fromSeconds(), p.interval().second(), p.interval().sent(),
            p.interval().received(), p.totalSent(), p.totalReceived(), p.replies()));
      }
      text.flush();
    };
    FloodVerticle flood = new FloodVerticle(options, granted, segmentsPerWrite, meters, progress);
    String id = runtime.vertx().deployVerticle(flood).await();
    try {
      signal.onStop(flood::stopSending);
      if (signal.isInterrupted()) {
        flood.stopSending();
      }
      FloodReport report = flood.run().await();
      if (text != null) {
        if (terminal) {
          text.println();
        }
        long clientDrops = flood.clientDrops();
        if (clientDrops >= 0 && report.mode() != Mode.SEND_ONLY) {
          text.println("of the loss, " + clientDrops + " were dropped by this client's own receive buffer"
              + (clientDrops > 0 ? " (the client read too slowly; raise --rcvbuf)" : ""));
        }
        if (flood.sendFailures() > 0) {
          text.println(flood.sendFailures() + " sends failed (not counted as sent)");
        }
        if (options.expect() == Expect.AUTO && report.received() == 0 && report.sent() > 0
            && report.mode() == Mode.SEQUENCED) {
          text.println("no reply came back: if " + options.target().label() + " is a sink, use --expect none");
        }
        text.flush();
      }
      return report;
    } finally {
      signal.onStop(() -> { });
      runtime.vertx().undeploy(id).await();
    }
  }

  /** UDP_SEGMENT needs Netty's epoll transport under the sockets, and a kernel that has it (Linux 4.18+). */
  private static boolean gsoSupported(ClientRuntime runtime) {
    return runtime.vertx().isNativeTransportEnabled() && SegmentedDatagramPacket.isSupported();
  }

  /**
   * A cold JVM sends and reads several times slower in its first second: one second at
   * {@link #WARM_UP_RATE} to the same target, not reported, before runs that are compared.
   */
  static void warmUp(ClientRuntime runtime, FloodOptions base, StopSignal signal, PrintWriter text) {
    FloodReport warmUp = run(runtime, new FloodOptions(base).count(WARM_UP_RATE).rate(WARM_UP_RATE)
        .duration(Duration.ofSeconds(1)).drain(Duration.ofMillis(200)), signal, null, false);
    text.println("warm-up (not reported): " + warmUp.sent() + " datagrams at " + WARM_UP_RATE + " pps");
    text.flush();
  }
}
