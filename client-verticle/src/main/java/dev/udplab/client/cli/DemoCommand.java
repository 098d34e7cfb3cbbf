package dev.udplab.client.cli;

import dev.udplab.client.demo.DemoEchoVerticle;
import dev.udplab.client.flood.FloodOptions;
import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.report.FloodReport;
import dev.udplab.client.report.TextReport;
import dev.udplab.client.run.SingleRun;
import dev.udplab.client.run.StopSignal;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.cli.MetricsOptions;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.common.runtime.VertxRuntime;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the lab's experiment in one command. Starts an echo server in this process on a free
 * port, floods it unpaced, then paced below the rate the server kept up with, and prints both summaries
 * side by side with what the difference shows.
 */
@Command(name = "demo",
    description = "Flood an embedded echo server unpaced, then paced, and compare the two reports.")
public final class DemoCommand implements Callable<Integer> {

  /** The most datagrams per run. */
  static final long MAX_COUNT = 10_000_000;

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
    if (count < 1 || count > MAX_COUNT) {
      throw new ParameterException(spec.commandLine(), "--count must be 1.." + MAX_COUNT + ": " + count);
    }
    StopSignal signal = StopSignal.install();
    try (VertxRuntime runtime = VertxRuntime.start("udp-client", TransportChoice.AUTO.resolve())) {
      SingleRun runs = new SingleRun(runtime, ClientMetrics.serve(runtime, metrics, spec.commandLine().getErr()),
          signal);
      DemoEchoVerticle echo = new DemoEchoVerticle();
      runtime.vertx().deployVerticle(echo).await();
      HostPort target = HostPort.parse("127.0.0.1:" + echo.port());
      out.println("demo: echo server on " + target.label() + " (in this process, default socket buffers)");
      out.flush();
      FloodOptions unpacedOptions = FloodOptions.to(target).withCount(count).withRate(0);
      runs.warmUp(unpacedOptions, out);
      FloodReport unpaced = runs.run(unpacedOptions, out, false);
      long rate = pacedRate(unpaced, count);
      FloodReport paced = signal.isInterrupted() ? unpaced : runs.run(unpacedOptions.withRate(rate), out, false);
      out.println();
      out.print(TextReport.sideBySide("UNPACED (as fast as the socket takes them)", unpaced,
          "PACED at " + rate + " pps", paced));
      out.println();
      out.println(explanation(unpaced, paced, rate));
      out.flush();
      return ExitCodes.OK;
    }
  }

  /**
   * Half the rate at which replies came back unpaced (the knee is at most that), rounded to 1000, but
   * fast enough that the paced run takes at most 15 s.
   */
  static long pacedRate(FloodReport unpaced, long count) {
    long half = Math.round(unpaced.receiveRate() / 2 / 1000) * 1000;
    long floor = (count + 14) / 15;
    return Math.max(Math.max(1000, floor), Math.min(200_000, half));
  }

  private static String explanation(FloodReport unpaced, FloodReport paced, long rate) {
    String first = unpaced.lost() > 0
        ? String.format(Locale.ROOT, "Unpaced, %d of %d datagrams (%.2f%%) never came back although nothing left "
            + "this machine: the kernel dropped them when a socket receive buffer (%d bytes) was full.",
            unpaced.lost(), unpaced.sent(), unpaced.lossPercent(), unpaced.rcvbuf())
        : String.format(Locale.ROOT, "Unpaced, all %d datagrams came back this time: this machine's server kept up "
            + "(a busier machine or a smaller receive buffer shows loss here).", unpaced.sent());
    String second = paced.lost() == 0
        ? String.format(Locale.ROOT, "Paced at %d pps, below what the server sustained, none was lost: UDP loss on "
            + "loopback is receive-buffer overflow, so pace the sender or enlarge SO_RCVBUF.", rate)
        : String.format(Locale.ROOT, "Paced at %d pps, %d were still lost (%.2f%%): this machine is too busy right "
            + "now to sustain even that; loss on loopback is receive-buffer overflow, so pace lower or enlarge "
            + "SO_RCVBUF.", rate, paced.lost(), paced.lossPercent());
    return first + System.lineSeparator() + second;
  }
}
