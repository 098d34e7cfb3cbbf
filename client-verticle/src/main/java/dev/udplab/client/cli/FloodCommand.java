package dev.udplab.client.cli;

import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.flood.FloodPayload;
import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.BindAddress;
import dev.udplab.client.net.GsoMode;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.net.UdpGso;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.client.run.ServerCounters;
import dev.udplab.client.run.SingleRun;
import dev.udplab.client.run.StopSignal;
import dev.udplab.client.send.SendOptions;
import dev.udplab.common.cli.Converters;
import dev.udplab.common.cli.Durations;
import dev.udplab.common.cli.HelpSections;
import dev.udplab.common.cli.MetricsOptions;
import dev.udplab.common.cli.SocketBufferOptions;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.common.runtime.VertxRuntime;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flood}: sends numbered datagrams, reads the replies while sending, and reports loss, duplicates, reordering
 * and round-trip times exactly; also {@code --find-max-rate} and the sweeps. The options build one
 * {@link FloodPlan}; its {@link FloodMode} runs it.
 */
@Command(name = "flood",
    description = "Flood a UDP server with numbered datagrams and report loss, duplicates, reordering and RTT.")
public final class FloodCommand implements Callable<Integer>, HelpSections.Sectioned {

  @Spec
  private CommandSpec spec;

  @Option(names = "--to", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
      defaultValue = SendOptions.DEFAULT_TARGET,
      description = "Target; IPv6 as [::1]:PORT (default: ${DEFAULT-VALUE})")
  private HostPort target;

  @Option(names = "--count", paramLabel = "N", defaultValue = "20000",
      description = "Datagrams to send; 0 = until --duration or Ctrl-C (default: ${DEFAULT-VALUE})")
  private long count;

  @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.DurationValue.class,
      defaultValue = "0s",
      description = "Longest send phase: 500ms, 10s, 1m; 0s = no limit (default: ${DEFAULT-VALUE})")
  private Duration duration;

  @Option(names = "--rate", paramLabel = "PPS", defaultValue = "0",
      description = "Datagrams per second, evenly paced; 0 = as fast as the socket takes them "
          + "(default: ${DEFAULT-VALUE})")
  private long rate;

  @Option(names = "--bitrate", paramLabel = "BITS", converter = BitRateConverter.class,
      description = "Instead of --rate: payload bits per second, as iperf3's -b (100M = 100,000,000 bit/s; K, M, G "
          + "count in thousands); the rate is BITS / (8 x --size) datagrams per second")
  private Long bitrate;

  @Option(names = "--size", paramLabel = "BYTES", converter = Converters.ByteSize.class, defaultValue = "64",
      description = "Datagram size, " + FloodPayload.HEADER_BYTES + " (the header) to " + FloodPayload.MAX_BYTES
          + ": 64, 1K, 1400 (default: ${DEFAULT-VALUE})")
  private int size;

  @Option(names = "--warmup", paramLabel = "DURATION", converter = Converters.DurationValue.class,
      defaultValue = "400ms",
      description = "Send at the target rate this long before the run, left out of the report (the server counts "
          + "it); 0s = none, so that exactly --count datagrams reach the server (default: ${DEFAULT-VALUE})")
  private Duration warmup;

  @Mixin
  private SocketBufferOptions buffers;

  @Option(names = "--sockets", paramLabel = "K", defaultValue = "1",
      description = "Source sockets used round-robin, so a --instances server sees K flows (default: ${DEFAULT-VALUE})")
  private int sockets;

  @Option(names = "--bind", paramLabel = "ADDR[:PORT]",
      description = "Source address of the sockets (iperf3 -B); with a PORT and --sockets K, socket i binds PORT+i "
          + "(default: the target's loopback or wildcard, any port)")
  private String bind;

  @Option(names = "--gso", paramLabel = "auto|on|off", defaultValue = "auto",
      description = "Hand the kernel up to " + UdpGso.MAX_SEGMENTS + " datagrams per write (UDP_SEGMENT); auto: "
          + "towards loopback targets where the kernel offers it (default: ${DEFAULT-VALUE})")
  private GsoMode gso;

  @Option(names = "--expect", paramLabel = "KIND", defaultValue = "auto",
      description = "Replies: sequenced (echo, uppercase), counted (greeting), none (sink), or auto: decided from "
          + "what arrives (default: ${DEFAULT-VALUE})")
  private ReplyKind expect;

  @Option(names = "--drain", paramLabel = "DURATION", converter = Converters.DurationValue.class, defaultValue = "1s",
      description = "How long to wait for stragglers after the last send (default: ${DEFAULT-VALUE})")
  private Duration drain;

  @Option(names = "--interval", paramLabel = "DURATION", converter = Converters.DurationValue.class,
      defaultValue = "1s",
      description = "Interval report period, whole milliseconds; 0 = no interval lines (default: ${DEFAULT-VALUE})")
  private Duration interval;

  @Option(names = "--json", description = "Print exactly one JSON document on stdout, everything else on stderr")
  private boolean json;

  @Option(names = "--json-stream", description = "Print one JSON object per line on stdout as the run goes (start, "
      + "each interval, end: the --json report), everything else on stderr; a single run only")
  private boolean jsonStream;

  @Mixin
  private MetricsOptions metrics = new MetricsOptions(9102);

  @Option(names = "--linger", paramLabel = "DURATION", converter = Converters.DurationValue.class,
      defaultValue = "0s", description = "Keep /metrics up this long after the run, for a last scrape "
          + "(default: ${DEFAULT-VALUE})")
  private Duration linger;

  @Option(names = "--server-metrics", paramLabel = "URL",
      description = "A udplab server's /metrics (http://127.0.0.1:9101/metrics): read before and after the flood to "
          + "split the loss into the server's receive buffer, its drops by reason, this client's buffer and the path")
  private String serverMetrics;

  @Option(names = "--max-loss", paramLabel = "PERCENT",
      description = "Exit 3 when loss exceeds PERCENT; with --find-max-rate the threshold (default: none; "
          + FloodPlan.DEFAULT_FIND_MAX_LOSS + " with --find-max-rate)")
  private Double maxLoss;

  @Option(names = "--find-max-rate",
      description = "Probe runs of --duration (2s when not given) for the highest rate whose loss stays within "
          + "--max-loss: unpaced first, then doubling, then bisection")
  private boolean findMaxRate;

  @Option(names = "--sweep-rcvbuf", paramLabel = "LIST", split = ",",
      description = "One flood per client SO_RCVBUF (8K,64K,208K,1M,4M), then a table")
  private List<String> sweepRcvbuf;

  @Option(names = "--sweep-rate", paramLabel = "LIST", split = ",",
      description = "One flood per rate (10000,50000,100000), then a table")
  private List<String> sweepRate;

  @Option(names = "--plot", paramLabel = "FILE",
      description = "With a sweep or --find-max-rate: draw loss %% and p99 RTT against the swept value into FILE, "
          + "an .svg or a .png")
  private Path plot;

  @Override
  public List<HelpSections.Section> helpSections() {
    return List.of(
        HelpSections.section("What to send", "--to", "--count", "--duration", "--rate", "--bitrate", "--size",
            "--warmup"),
        HelpSections.section("Sockets", "--rcvbuf", "--sndbuf", "--sockets", "--bind", "--gso"),
        HelpSections.section("Reading replies", "--expect", "--drain"),
        HelpSections.section("Output", "--interval", "--json", "--json-stream"),
        HelpSections.section("Metrics", "--metrics-port", "--metrics-host", "--linger", "--server-metrics"),
        HelpSections.section("Run modes", "--max-loss", "--find-max-rate", "--sweep-rcvbuf", "--sweep-rate",
            "--plot"));
  }

  @Override
  public Integer call() throws InterruptedException {
    FloodPlan plan = plan();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StopSignal signal = StopSignal.install();
    try (VertxRuntime runtime = VertxRuntime.start("udp-client", TransportChoice.AUTO.resolve())) {
      ClientMetrics meters = ClientMetrics.serve(runtime, metrics, err);
      ServerCounters server = plan.serverMetrics() == null ? null
          : ServerCounters.of(plan.serverMetrics(), plan.jsonOnStdout() ? err : out);
      int exit = plan.mode().run(new SingleRun(runtime, meters, signal, server),
          new FloodMode.Output(out, err, plan.jsonOnStdout(), !plan.jsonOnStdout() && System.console() != null));
      linger(meters, signal, plan.linger(), err);
      return exit;
    }
  }

  /** The plan of this command line, validated once; a bad value is a usage error. */
  FloodPlan plan() {
    try {
      boolean rateGiven = spec.commandLine().getParseResult() != null
          && spec.commandLine().getParseResult().hasMatchedOption("--rate");
      if (bitrate != null && rateGiven) {
        throw new IllegalArgumentException("choose one of --rate and --bitrate");
      }
      long pps = bitrate == null ? rate : FloodOptions.rateOf(bitrate, size);
      FloodOptions flood = new FloodOptions(target, count, duration, pps, bitrate, size, SocketBuffers.of(buffers),
          sockets, bind == null ? null : BindAddress.parse(bind), drain, interval, expect, gso, warmup);
      return FloodPlan.of(flood, maxLoss, json, jsonStream, linger, findMaxRate, sweepRcvbuf, sweepRate,
          serverMetrics == null ? null : serverMetricsUrl(serverMetrics), plot);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** {@code http://host:port/metrics}; a bare {@code host:port} gets {@code http://} and {@code /metrics}. */
  static URI serverMetricsUrl(String text) {
    String value = text.trim();
    if (!value.contains("://")) {
      value = "http://" + value + (value.contains("/") ? "" : "/metrics");
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--server-metrics '" + text + "' is not a URL (example: "
          + "http://127.0.0.1:9101/metrics)");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("--server-metrics '" + text + "' is not an http:// URL with a host "
          + "(example: http://127.0.0.1:9101/metrics)");
    }
    return uri;
  }

  private static void linger(ClientMetrics meters, StopSignal signal, Duration linger, PrintWriter err)
      throws InterruptedException {
    if (linger.isZero() || meters.endpoint() == null) {
      return;
    }
    err.println("metrics stay up at " + meters.endpoint().url() + " for " + Durations.format(linger)
        + " (Ctrl-C ends it)");
    err.flush();
    signal.onStop(() -> { });
    signal.sleep(linger.toMillis());
  }
}
