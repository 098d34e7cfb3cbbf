package dev.udplab.client.cli;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.flood.StallMeter;
import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.TextReport;
import dev.udplab.client.run.ServerCounters;
import dev.udplab.client.run.SingleRun;
import dev.udplab.client.run.StopSignal;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.cli.MetricsOptions;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.common.runtime.VertxRuntime;
import dev.udplab.server.ServerConfig;
import dev.udplab.server.ServerRuntime;
import dev.udplab.server.guard.GuardPolicy;
import dev.udplab.server.guard.GuardSettings;
import dev.udplab.server.mode.ServerMode;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the lab's experiment in one command, against the product itself. Starts {@code udp-server echo} in
 * this process (its own Vert.x, default socket buffers, its {@code listening} line), floods it unpaced, finds the
 * highest rate it answers without loss in a few short probes, floods it paced at half that, and prints both summaries
 * side by side with what the difference shows. When the paced run still loses, it says whose event loop stalled
 * (the flood's self-check, and the same meter on the server's loops) instead of guessing.
 */
@Command(name = "demo",
    description = "Flood the echo server (in this process) unpaced, then paced below its measured knee, and compare.")
public final class DemoCommand implements Callable<Integer> {

  /** The most datagrams per run. */
  static final long MAX_COUNT = 10_000_000;
  /** The paced run's rate as a share of the knee: the margin that keeps scheduling hiccups from overflowing. */
  static final double MARGIN = 0.5;
  /** Probes of the knee search, and how long each sends. */
  static final int KNEE_PROBES = 6;
  static final Duration PROBE = Duration.ofMillis(500);
  /** The longest paced run: its count is cut to this many seconds at its rate. */
  static final long MAX_PACED_SECONDS = 10;

  @Spec
  private CommandSpec spec;

  @Option(names = "--count", paramLabel = "N", defaultValue = "100000",
      description = "Datagrams per run, 1.." + MAX_COUNT + " (default: ${DEFAULT-VALUE})")
  private long count;

  @Mixin
  private MetricsOptions metrics = new MetricsOptions(0);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (count < 1 || count > MAX_COUNT) {
      throw new ParameterException(spec.commandLine(), "--count must be 1.." + MAX_COUNT + ": " + count);
    }
    StopSignal signal = StopSignal.install();
    ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
    ByteArrayOutputStream serverErr = new ByteArrayOutputStream();
    ServerRuntime server = ServerRuntime.start(echoConfig(), new PrintStream(serverOut, true, StandardCharsets.UTF_8),
        new PrintStream(serverErr, true, StandardCharsets.UTF_8));
    try (VertxRuntime runtime = VertxRuntime.start("udp-client", TransportChoice.AUTO.resolve())) {
      copy(serverOut, out);
      copy(serverErr, err);
      int port = server.instances().get(ServerMode.ECHO).get(0).bound().address().port();
      HostPort target = HostPort.parse("127.0.0.1:" + port);
      out.println("demo: that is udp-server echo in this process, with the kernel's default socket buffers; "
          + "flooding it from here");
      out.flush();
      // the server's own counters split each run's loss, as --server-metrics does for a server elsewhere
      SingleRun runs = new SingleRun(runtime, ClientMetrics.serve(runtime, metrics, err), signal,
          ServerCounters.inProcess(server.registry()::scrape, "the demo's echo server", out));
      FloodOptions unpacedOptions = FloodOptions.to(target).withCount(count).withRate(0);
      FloodReport unpaced = runs.run(unpacedOptions, out, false);
      if (signal.isInterrupted()) {
        return ExitCodes.OK;
      }
      out.println();
      long knee = knee(runs, unpacedOptions, unpaced, out);
      long rate = pacedRate(knee);
      long pacedCount = Math.min(count, rate * MAX_PACED_SECONDS);
      out.println(String.format(Locale.ROOT, "knee: %d pps without loss; the paced run goes at %.0f %% of it, "
          + "%d pps, %d datagrams", knee, MARGIN * 100, rate, pacedCount));
      out.println();
      out.flush();
      List<StallMeter> serverLoops = serverStallMeters(server);
      FloodReport paced = signal.isInterrupted() ? unpaced
          : runs.run(unpacedOptions.withRate(rate).withCount(pacedCount), out, false);
      serverLoops.forEach(StallMeter::stop);
      out.println();
      out.print(TextReport.sideBySide("UNPACED (as fast as the socket takes them)", unpaced,
          "PACED at " + rate + " pps", paced));
      out.println();
      out.println(explanation(unpaced, paced, rate, longest(serverLoops)));
      out.flush();
      return ExitCodes.OK;
    } finally {
      server.stop();
      copy(serverOut, out);
      copy(serverErr, err);
    }
  }

  /** {@code udp-server echo --host 127.0.0.1 --port 0 --metrics-port 0 --quiet}, everything else as by default. */
  static ServerConfig echoConfig() {
    return new ServerConfig(ServerMode.ECHO, ServerConfig.DEFAULT_HOST, 0, ServerConfig.DEFAULT_MESSAGE, null, null,
        0, null, 1, TransportChoice.AUTO, true, GuardPolicy.AUTO, null, null, GuardSettings.DEFAULT_MAX_SOURCES,
        false);
  }

  private static void copy(ByteArrayOutputStream from, PrintWriter to) {
    to.print(from.toString(StandardCharsets.UTF_8));
    to.flush();
    from.reset();
  }

  /**
   * The highest rate of {@link #KNEE_PROBES} short probes that lost nothing and was really sent at that rate, to the
   * thousand: the first at the unpaced receive rate, doubling while they pass, then bisecting; at least 1000.
   */
  static long knee(SingleRun runs, FloodOptions base, FloodReport unpaced, PrintWriter out) {
    long low = 0;
    long high = -1;
    long rate = roundedRate(unpaced.receiveRate());
    for (int probe = 1; probe <= KNEE_PROBES && !runs.signal().isInterrupted(); probe++) {
      FloodReport report = runs.run(base.withRate(rate).withDuration(PROBE).withWarmup(Duration.ZERO)
          .withCount(Math.max(1, rate * PROBE.toMillis() / 1000)).withDrain(Duration.ofMillis(300)), null, false);
      boolean passed = report.lost() == 0 && report.sendRate() >= 0.9 * rate;
      out.println(TextReport.probeLine(probe, rate, report,
          passed ? "ok" : report.lost() > 0 ? "lost" : "client too slow"));
      out.flush();
      if (passed) {
        low = rate;
      } else {
        high = rate;
      }
      long next = high < 0 ? 2 * rate : roundedRate((low + high) / 2.0);
      if (next <= low || (high >= 0 && next >= high)) {
        break;
      }
      rate = next;
    }
    return Math.max(1000, low);
  }

  private static long roundedRate(double rate) {
    return Math.max(1000, Math.round(rate / 1000) * 1000);
  }

  /** {@link #MARGIN} of the knee, rounded to 1000, at least 1000. */
  static long pacedRate(long knee) {
    return Math.max(1000, Math.round(knee * MARGIN / 1000) * 1000);
  }

  /** A self-check on every event loop of the server's Vert.x: one of them is the echo socket's. */
  private static List<StallMeter> serverStallMeters(ServerRuntime server) {
    List<StallMeter> meters = new ArrayList<>();
    for (EventExecutor loop : ((VertxInternal) server.vertx()).eventLoopGroup()) {
      meters.add(new StallMeter().start(loop));
    }
    return meters;
  }

  private static FloodReport.Stalls longest(List<StallMeter> meters) {
    FloodReport.Stalls longest = new FloodReport.Stalls(0, 0, 0);
    for (StallMeter meter : meters) {
      FloodReport.Stalls stalls = meter.snapshot();
      if (stalls.maxMillis() > longest.maxMillis()) {
        longest = stalls;
      }
    }
    return longest;
  }

  static String explanation(FloodReport unpaced, FloodReport paced, long rate, FloodReport.Stalls serverStalls) {
    String first = unpaced.lost() > 0
        ? String.format(Locale.ROOT, "Unpaced, %d of %d datagrams (%.2f%%) never came back although nothing left "
            + "this machine: the kernel dropped them when a socket receive buffer (%d bytes) was full.",
            unpaced.lost(), unpaced.sent(), unpaced.lossPercent(), unpaced.rcvbuf())
        : String.format(Locale.ROOT, "Unpaced, all %d datagrams came back this time: this machine's server kept up "
            + "(a busier machine or a smaller receive buffer shows loss here).", unpaced.sent());
    if (paced.lost() == 0) {
      return first + System.lineSeparator() + String.format(Locale.ROOT, "Paced at %d pps, half the rate the server "
          + "answered without loss, none was lost: UDP loss on loopback is receive-buffer overflow, so pace the "
          + "sender or enlarge SO_RCVBUF.", rate);
    }
    FloodReport.Stalls client = paced.fidelity().clientStalls();
    List<String> who = new ArrayList<>();
    if (serverStalls.count() > 0) {
      who.add(String.format(Locale.ROOT, "the server's event loop stalled %d times, for up to %.1f ms", serverStalls.count(),
          serverStalls.maxMillis()));
    }
    if (client.count() > 0) {
      who.add(String.format(Locale.ROOT, "this client's event loop stalled %d times, for up to %.1f ms", client.count(),
          client.maxMillis()));
    }
    long serverDrops = paced.lossAttribution() == null || paced.lossAttribution().serverKernel() == null ? 0
        : paced.lossAttribution().serverKernel();
    String where = serverDrops > 0 ? String.format(Locale.ROOT, " %d of them in the server's receive buffer.",
        Math.min(serverDrops, paced.lost())) : "";
    String why = who.isEmpty()
        ? "neither event loop stalled for more than 1 ms, so the loss is the kernel's or another process's"
        : String.join(", and ", who) + " (a busy machine: a stalled loop reads nothing while its buffer fills)";
    return first + System.lineSeparator() + String.format(Locale.ROOT, "Paced at %d pps, %d were still lost (%.2f%%)."
        + "%s Self-check: %s.", rate, paced.lost(), paced.lossPercent(), where, why);
  }
}
