package dev.udplab.client.run;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.flood.FloodVerticle;
import dev.udplab.client.flood.FloodVerticle.FloodProgress;
import dev.udplab.client.flood.SendPacer;
import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.report.TextReport;
import dev.udplab.common.cli.CommandException;
import dev.udplab.common.runtime.VertxRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Runs one flood at a time on a started runtime, for {@code flood} (single runs, sweeps, probes) and {@code demo}:
 * deploys a {@link FloodVerticle}, ties Ctrl-C to its send phase, prints its header and interval lines, and
 * undeploys it. Blocks, so call it from the main thread, never an event loop.
 */
public final class SingleRun {

  /** Datagrams per second of the one-second warm-up before compared runs. */
  public static final int WARM_UP_RATE = 5000;

  private final VertxRuntime runtime;
  private final ClientMetrics metrics;
  private final StopSignal signal;

  /** Floods on {@code runtime}, counted in {@code metrics}; Ctrl-C on {@code signal} ends a send phase early. */
  public SingleRun(VertxRuntime runtime, ClientMetrics metrics, StopSignal signal) {
    this.runtime = runtime;
    this.metrics = metrics;
    this.signal = signal;
  }

  public StopSignal signal() {
    return signal;
  }

  /**
   * Runs one flood, printing its header and interval lines (or a progress line on a terminal) to {@code text}, or
   * nothing when it is null.
   *
   * @throws CommandException (exit 4) when a socket cannot be bound or {@code --gso on} is not offered on this path
   */
  public FloodReport run(FloodOptions options, PrintWriter text, boolean terminal) {
    ClientMetrics.Target meters = metrics.target(options.target().label());
    FloodVerticle flood = new FloodVerticle(options, meters, progress(text, terminal));
    String id = runtime.vertx().deployVerticle(flood).await();
    try {
      SocketBuffers.Granted granted = flood.granted();
      meters.socketBuffers(granted.receiveBytes(), granted.sendBytes());
      if (text != null) {
        printHeader(text, options, granted, flood, terminal);
      }
      signal.onStop(flood::stopSending);
      if (signal.isInterrupted()) {
        flood.stopSending();
      }
      FloodReport report = flood.run().await();
      if (text != null) {
        printAfterword(text, options, flood, report, terminal);
      }
      return report;
    } finally {
      signal.onStop(() -> { });
      runtime.vertx().undeploy(id).await();
    }
  }

  /**
   * A cold JVM sends and reads several times slower in its first second: one second at {@link #WARM_UP_RATE} to
   * the same target, not reported, before runs that are compared.
   */
  public void warmUp(FloodOptions base, PrintWriter text) {
    FloodReport warmUp = run(base.withCount(WARM_UP_RATE).withRate(WARM_UP_RATE).withDuration(Duration.ofSeconds(1))
        .withDrain(Duration.ofMillis(200)).withWarmup(Duration.ZERO), null, false);
    text.println("warm-up (not reported): " + warmUp.sent() + " datagrams at " + WARM_UP_RATE + " pps");
    text.flush();
  }

  private static void printHeader(PrintWriter text, FloodOptions options, SocketBuffers.Granted granted,
      FloodVerticle flood, boolean terminal) {
    text.println(TextReport.header(options.target().label(), options.count(), options.duration().toNanos() / 1e9,
        options.rate(), options.sizeBytes(), granted.receiveBytes(), granted.sendBytes(), options.sockets(),
        flood.segmentsPerWrite()));
    for (String line : new String[] {TextReport.pacingLine(options.rate(), SendPacer.PER_DATAGRAM_MAX_RATE),
        flood.gso().note(), TextReport.warmupLine(options.warmup().toNanos() / 1e9, options.rate())}) {
      if (line != null) {
        text.println(line);
      }
    }
    String shortfall = options.buffers().shortfall(granted);
    if (shortfall != null) {
      text.println(shortfall);
    }
    if (!terminal) {
      text.println(TextReport.intervalTitle());
    }
    text.flush();
  }

  private static Consumer<FloodProgress> progress(PrintWriter text, boolean terminal) {
    return p -> {
      if (text == null) {
        return;
      }
      if (terminal) {
        text.print(TextReport.progressLine(p.interval().second(), p.totalSent(), p.totalReceived(), p.replies()));
      } else {
        text.println(TextReport.intervalLine(p.fromSeconds(), p.interval().second(), p.interval().sent(),
            p.interval().received(), p.totalSent(), p.totalReceived(), p.replies()));
      }
      text.flush();
    };
  }

  private static void printAfterword(PrintWriter text, FloodOptions options, FloodVerticle flood, FloodReport report,
      boolean terminal) {
    if (terminal) {
      text.println();
    }
    long clientDrops = flood.clientDrops();
    if (clientDrops >= 0 && report.mode() != ReplyKind.NONE) {
      text.println("of the loss, " + clientDrops + " were dropped by this client's own receive buffer"
          + (clientDrops > 0 ? " (the client read too slowly; raise --rcvbuf)" : ""));
    }
    if (flood.sendFailures() > 0) {
      text.println(flood.sendFailures() + " sends failed (not counted as sent)");
    }
    if (options.expect() == ReplyKind.AUTO && report.received() == 0 && report.sent() > 0
        && report.mode() == ReplyKind.SEQUENCED) {
      text.println("no reply came back: if " + options.target().label() + " is a sink, use --expect none");
    }
    text.flush();
  }
}
