package dev.udplab.client;

import dev.udplab.client.FloodOptions.Expect;
import dev.udplab.client.FloodReport.Mode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flood}: sends numbered datagrams, reads the replies while sending, and reports loss,
 * duplicates, reordering and round-trip times exactly; also {@code --find-max-rate} and the sweeps.
 */
@Command(name = "flood", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Flood a UDP server with numbered datagrams and report loss, duplicates, reordering and RTT.")
final class FloodCommand implements Callable<Integer> {

  /** The loss threshold of {@code --find-max-rate} when {@code --max-loss} is not given. */
  static final double DEFAULT_FIND_MAX_LOSS = 0.1;

  @Spec
  private CommandSpec spec;

  @Option(names = "--to", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
      defaultValue = SendOptions.DEFAULT_TARGET,
      description = "Target (default ${DEFAULT-VALUE}; IPv6 as [::1]:PORT).")
  private HostPort target;

  @Option(names = "--count", paramLabel = "N", defaultValue = "20000",
      description = "Datagrams to send (default ${DEFAULT-VALUE}); 0 = until --duration or Ctrl-C.")
  private long count;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Longest send phase (e.g. 10s).")
  private Duration duration = Duration.ZERO;

  @Option(names = "--rate", paramLabel = "PPS", defaultValue = "0",
      description = "Datagrams per second, evenly paced (default 0 = as fast as the socket takes them).")
  private long rate;

  @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64",
      description = "Datagram size, " + FloodPayload.HEADER_BYTES + "..65507 (default ${DEFAULT-VALUE}).")
  private int size;

  @Option(names = "--rcvbuf", paramLabel = "BYTES", converter = ByteSizeConverter.class,
      description = "SO_RCVBUF to request for each client socket (e.g. 208K, 4M).")
  private Integer rcvbuf;

  @Option(names = "--sndbuf", paramLabel = "BYTES", converter = ByteSizeConverter.class,
      description = "SO_SNDBUF to request for each client socket.")
  private Integer sndbuf;

  @Option(names = "--sockets", paramLabel = "K", defaultValue = "1",
      description = "Source sockets used round-robin, so reuseport servers see K flows (default ${DEFAULT-VALUE}).")
  private int sockets;

  @Option(names = "--gso", paramLabel = "auto|on|off", defaultValue = "auto",
      description = "Hand the kernel up to " + UdpGso.MAX_SEGMENTS + " datagrams per write (UDP_SEGMENT): auto ="
          + " towards loopback targets where the kernel offers it (default ${DEFAULT-VALUE}).")
  private String gso;

  @Option(names = "--drain", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1s",
      description = "How long to wait for stragglers after the last send (default ${DEFAULT-VALUE}).")
  private Duration drain;

  @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1s",
      description = "Interval report period (default ${DEFAULT-VALUE}).")
  private Duration interval;

  @Option(names = "--expect", paramLabel = "KIND", defaultValue = "auto",
      description = "Replies: auto, sequenced (echo/uppercase), counted (greeting) or none (sink). Default auto.")
  private String expect;

  @Option(names = "--json", description = "Print exactly one JSON document on stdout; everything else on stderr.")
  private boolean json;

  @Option(names = "--metrics-port", paramLabel = "PORT", converter = MetricsPortConverter.class, defaultValue = "9102",
      description = "Serve Prometheus metrics on 127.0.0.1:PORT/metrics (default ${DEFAULT-VALUE}, 0 = off).")
  private int metricsPort;

  @Option(names = "--linger", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Keep /metrics up this long after the run, for a last scrape.")
  private Duration linger = Duration.ZERO;

  @Option(names = "--max-loss", paramLabel = "PERCENT",
      description = "Exit 3 when loss exceeds PERCENT; with --find-max-rate the threshold (default 0.1).")
  private Double maxLoss;

  @Option(names = "--find-max-rate",
      description = "Bisect over short paced runs for the highest rate whose loss stays within --max-loss.")
  private boolean findMaxRate;

  @Option(names = "--sweep-rcvbuf", paramLabel = "LIST", split = ",",
      description = "Repeat the flood per client SO_RCVBUF (e.g. 8K,64K,208K,1M,4M) and print a table.")
  private List<String> sweepRcvbuf;

  @Option(names = "--sweep-rate", paramLabel = "LIST", split = ",",
      description = "Repeat the flood per rate (e.g. 10000,50000,100000) and print a table.")
  private List<String> sweepRate;

  private PrintWriter out;
  private PrintWriter err;
  private PrintWriter text;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    text = json ? err : out;
    FloodOptions options = options();
    int modes = (findMaxRate ? 1 : 0) + (sweepRcvbuf != null ? 1 : 0) + (sweepRate != null ? 1 : 0);
    if (modes > 1) {
      throw usage("choose one of --find-max-rate, --sweep-rcvbuf, --sweep-rate");
    }
    Sweep sweep;
    try {
      sweep = sweepRcvbuf != null ? Sweep.rcvbuf(sweepRcvbuf) : sweepRate != null ? Sweep.rate(sweepRate) : null;
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    StopSignal signal = StopSignal.install();
    try (ClientRuntime runtime = ClientRuntime.start(metricsPort)) {
      if (runtime.metricsUrl() != null) {
        err.println("metrics " + runtime.metricsUrl());
      }
      int exit;
      if (findMaxRate) {
        exit = findMaxRate(runtime, options, signal);
      } else if (sweep != null) {
        exit = sweep(runtime, options, signal, sweep);
      } else {
        FloodReport report = FloodRunner.run(runtime, options, signal, text, isTerminal());
        if (json) {
          out.println(report.toJson().encode());
        } else {
          out.print(report.summary());
        }
        out.flush();
        exit = verdict(report);
      }
      linger(runtime, signal);
      return exit;
    }
  }

  private FloodOptions options() {
    FloodOptions options;
    try {
      options = new FloodOptions(target)
          .count(count).duration(duration).rate(rate).sizeBytes(size).buffers(new SocketBuffers(rcvbuf, sndbuf))
          .sockets(sockets).drain(drain).interval(interval).expect(parseExpect(expect)).gso(UdpGso.parse(gso))
          .validate();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    if (maxLoss != null && (maxLoss < 0 || maxLoss > 100 || maxLoss.isNaN())) {
      throw usage("--max-loss must be a percentage 0..100: " + maxLoss);
    }
    if (findMaxRate && options.expect() == Expect.NONE) {
      throw usage("--find-max-rate needs replies to measure loss: not with --expect none");
    }
    if (count == 0 && duration.isZero() && (findMaxRate || sweepRcvbuf != null || sweepRate != null)) {
      throw usage("--count 0 needs --duration with --find-max-rate or a sweep");
    }
    return options;
  }

  private Expect parseExpect(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "auto":
        return Expect.AUTO;
      case "sequenced":
        return Expect.SEQUENCED;
      case "counted":
        return Expect.COUNTED;
      case "none":
        return Expect.NONE;
      default:
        throw new IllegalArgumentException("--expect must be auto, sequenced, counted or none: " + value);
    }
  }

  private int verdict(FloodReport report) {
    if (maxLoss != null && report.mode() != Mode.SEND_ONLY && report.lossPercent() > maxLoss) {
      err.println(String.format(Locale.ROOT, "loss %.4f%% is above --max-loss %s%%", report.lossPercent(),
          maxLoss));
      return ExitCodes.LOSS;
    }
    return ExitCodes.OK;
  }

  private int sweep(ClientRuntime runtime, FloodOptions base, StopSignal signal, Sweep sweep) {
    List<FloodReport> reports = new ArrayList<>();
    JsonArray array = new JsonArray();
    int exit = ExitCodes.OK;
    FloodRunner.warmUp(runtime, base, signal, text);
    for (int i = 0; i < sweep.values().size() && !signal.isInterrupted(); i++) {
      FloodReport report = FloodRunner.run(runtime, sweep.options(base, i), signal, text, isTerminal());
      reports.add(report);
      array.add(sweep.json(report, i));
      exit = Math.max(exit, verdict(report));
    }
    text.println();
    text.print(FloodReport.sweepTable(sweep.name(), sweep.labels().subList(0, reports.size()), reports));
    text.flush();
    if (json) {
      out.println(array.encode());
      out.flush();
    }
    return exit;
  }

  private int findMaxRate(ClientRuntime runtime, FloodOptions base, StopSignal signal) {
    MaxRateSearch search = new MaxRateSearch(maxLoss == null ? DEFAULT_FIND_MAX_LOSS : maxLoss);
    double threshold = search.thresholdPercent();
    Duration probe = base.duration().isZero() ? Duration.ofSeconds(2) : base.duration();
    JsonArray probes = new JsonArray();
    // The first, unpaced probe sets the search's first bound; on a cold JVM it sent a fraction of what the client
    // can, and the answer scattered from 5k to 44k pps between identical runs. Warm up first, as sweeps do.
    FloodRunner.warmUp(runtime, base, signal, text);
    text.println(String.format(Locale.ROOT, "find-max-rate: probes of %.1f s, loss threshold %s%%",
        probe.toNanos() / 1e9, threshold));
    long answer = search.search(rate -> {
      FloodOptions options = new FloodOptions(base).rate(rate).duration(probe)
          .count(rate == 0 ? base.count() : Math.max(1, rate * probe.toMillis() / 1000));
      FloodReport report = FloodRunner.run(runtime, options, signal, null, false);
      probes.add(report.toJson().put("rate", rate));
      text.println(FloodReport.probeLine(probes.size(), rate, report, search.verdict(report, rate)));
      text.flush();
      return report;
    }, signal::isInterrupted);
    text.println(answer > 0
        ? String.format(Locale.ROOT, "max rate within %s%% loss: %d pps", threshold, answer)
        : "no probed rate stayed within " + threshold + "% loss");
    text.flush();
    if (json) {
      out.println(new JsonObject().put("maxRate", answer).put("maxLossPercent", threshold).put("probes", probes)
          .encode());
      out.flush();
    }
    return answer > 0 ? ExitCodes.OK : ExitCodes.NO_REPLY;
  }

  private void linger(ClientRuntime runtime, StopSignal signal) throws InterruptedException {
    if (linger.isZero() || runtime.metricsUrl() == null) {
      return;
    }
    err.println("metrics stay up at " + runtime.metricsUrl() + " for " + Durations.format(linger)
        + " (Ctrl-C ends it)");
    err.flush();
    signal.onStop(() -> { });
    signal.sleep(linger.toMillis());
  }

  private boolean isTerminal() {
    return !json && System.console() != null;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
