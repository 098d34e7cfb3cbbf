package dev.udplab.client;

import dev.udplab.client.cli.SendCommand;
import dev.udplab.client.metrics.ClientMetrics;
import dev.udplab.client.send.SendOptions;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.common.runtime.VertxRuntime;
import dev.udplab.common.testing.ChildJvm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/** What one run of {@code udp-client} (or of {@code send} on a test's runtime) printed and returned. */
public record CliRun(int exitCode, String out, String err) {

  public List<String> outLines() {
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  public List<String> errLines() {
    return err.isEmpty() ? List.of() : List.of(err.split("\n"));
  }

  /** Runs the command line with {@code in} as standard input. */
  public static CliRun of(InputStream in, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ClientMain.run(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code udp-client ARGS} as its own process, as the jar runs it. */
  public static ChildJvm child(String... args) throws IOException {
    return ChildJvm.start(ChildJvm.javaCommand(ClientMain.class, args));
  }

  /** Runs the command line with empty standard input. */
  public static CliRun of(String... args) {
    return of(new ByteArrayInputStream(new byte[0]), args);
  }

  /** The command {@code args} select, parsed but not run. */
  public static <T> T parsed(String... args) {
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    CommandLine line = ClientMain.commandLine(new ByteArrayInputStream(new byte[0]), discard, discard);
    List<CommandLine> commands = line.parseArgs(args).asCommandLineList();
    return commands.get(commands.size() - 1).getCommand();
  }

  /** A Vert.x runtime as the commands start it, for tests that read its registry after a run. */
  public static VertxRuntime runtime() {
    return VertxRuntime.start("udp-client-test", TransportChoice.AUTO.resolve());
  }

  /** Runs {@code send} on a runtime the test owns, so that the meters can be read after the run. */
  public static CliRun send(VertxRuntime runtime, SendOptions options, String... messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintWriter outWriter = new PrintWriter(new PrintStream(out, true, StandardCharsets.UTF_8), true);
    PrintWriter errWriter = new PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true);
    int code = SendCommand.run(runtime, new ClientMetrics(runtime.registry()), options, List.of(messages),
        InputStream.nullInputStream(), outWriter, errWriter);
    outWriter.flush();
    errWriter.flush();
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
