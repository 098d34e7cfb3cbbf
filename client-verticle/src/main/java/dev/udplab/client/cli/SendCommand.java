package dev.udplab.client.cli;

import dev.udplab.client.ClientMain;
import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.send.InputLines;
import dev.udplab.client.send.SendOptions;
import dev.udplab.client.send.SendVerticle;
import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.Converters;
import dev.udplab.common.cli.MetricsOptions;
import dev.udplab.common.cli.SocketBufferOptions;
import dev.udplab.common.net.Datagrams;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.common.runtime.VertxRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code udp-client send}: request/reply with timeout and retries to one or more targets. */
@Command(name = "send",
    description = {
        "Sends each MESSAGE (or each line of standard input when there is none) to every target and prints "
            + "each reply with the address it came from. Only the address a request went to may answer it.",
        "Exit codes: 0 every reply arrived, 1 a reply never came, 2 bad usage, 4 a port could not be bound."})
public final class SendCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @ParentCommand
  private ClientMain parent;

  @Parameters(paramLabel = "MESSAGE", arity = "0..*",
      description = "Messages to send, one datagram each; none = read lines from standard input.")
  private List<String> messages = new ArrayList<>();

  @Option(names = "--to", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
      defaultValue = SendOptions.DEFAULT_TARGET,
      description = "Target, repeatable; IPv6 as [::1]:PORT (default: ${DEFAULT-VALUE})")
  private List<HostPort> targets;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.DurationValue.class,
      defaultValue = "1s",
      description = "How long each attempt waits for its reply: 500ms, 2s, 1m (default: ${DEFAULT-VALUE})")
  private Duration timeout;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
      description = "Send a request again this many times after a timeout (default: ${DEFAULT-VALUE})")
  private int retries;

  @Option(names = "--no-reply", description = "Fire and forget (for the sink): wait for no reply")
  private boolean noReply;

  @Mixin
  private SocketBufferOptions buffers;

  /** No endpoint unless asked for: a send run is over before any scrape could see it. */
  @Mixin
  private MetricsOptions metrics = new MetricsOptions(0);

  @Override
  public Integer call() {
    SendOptions options = options();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (VertxRuntime runtime = VertxRuntime.start("udp-client", TransportChoice.AUTO.resolve())) {
      ClientMetrics meters = ClientMetrics.serve(runtime, metrics, err);
      return run(runtime, meters, options, messages, parent.stdin(), out, err);
    }
  }

  /**
   * Runs {@code send} on a started runtime and returns the exit code; blocks until every message is done.
   * With no {@code messages}, lines are read from {@code stdin} until its end.
   */
  public static int run(VertxRuntime runtime, ClientMetrics meters, SendOptions options, List<String> messages,
      InputStream stdin, PrintWriter out, PrintWriter err) {
    SendVerticle verticle = new SendVerticle(options, meters, out, err);
    try {
      runtime.vertx().deployVerticle(verticle).await();
    } catch (CommandException e) {
      throw e;
    } catch (Exception e) {
      throw CommandException.environment("cannot start send: " + e.getMessage());
    }
    if (messages.isEmpty()) {
      readLines(stdin, verticle);
    } else {
      messages.forEach(verticle::submit);
      verticle.endOfInput();
    }
    return verticle.completion().await();
  }

  private static void readLines(InputStream stdin, SendVerticle verticle) {
    // A daemon thread: blocking reads must stay off the event loop, and must not keep the JVM alive.
    Thread reader = new Thread(() -> {
      try (stdin) {
        InputLines.read(stdin, Datagrams.MAX_PAYLOAD_BYTES, verticle::submit, verticle::submitOversized);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        verticle.endOfInput();
      }
    }, "udp-client-stdin");
    reader.setDaemon(true);
    reader.start();
  }

  /** The options and messages of this command line, validated once; a bad one is a usage error. */
  SendOptions options() {
    try {
      for (String message : messages) {
        int bytes = message.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0) {
          throw new IllegalArgumentException(
              "an empty MESSAGE cannot be sent: Vert.x (Netty) does not send zero-length datagrams");
        }
        if (bytes > Datagrams.MAX_PAYLOAD_BYTES) {
          throw new IllegalArgumentException("a MESSAGE of " + bytes + " bytes does not fit one datagram (at most "
              + Datagrams.MAX_PAYLOAD_BYTES + ")");
        }
      }
      return new SendOptions(targets, timeout, retries, !noReply, SocketBuffers.of(buffers));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
