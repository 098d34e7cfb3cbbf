package dev.udplab.common.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM of the test's class path as its own process ({@code udp-client} or {@code udp-server} exactly as their jars
 * run them, by their main class), with stdout and stderr collected line by line; signals by name, bounded waits.
 * Closing it kills what is still running.
 */
public final class ChildJvm implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("^listening mode=\\S+ address=\\S+:(\\d+) ");

  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final Thread[] readers;

  private ChildJvm(List<String> command) throws IOException {
    process = new ProcessBuilder(command).start();
    readers = new Thread[] {collect(process.getInputStream(), stdout), collect(process.getErrorStream(), stderr)};
  }

  /** The java command of this JVM with this module's test class path and {@code mainClass}. */
  public static List<String> javaCommand(Class<?> mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        mainClass.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** Starts {@code command} (for instance {@code timeout 3s} before {@link #javaCommand}). */
  public static ChildJvm start(List<String> command) throws IOException {
    return new ChildJvm(command);
  }

  /** A free TCP port on 127.0.0.1 (for a child's metrics endpoint: 0 turns it off there). */
  public static int freeTcpPort() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return free.getLocalPort();
    }
  }

  private static Thread collect(InputStream stream, List<String> lines) {
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  public List<String> stdout() {
    return stdout;
  }

  public List<String> stderr() {
    return stderr;
  }

  /** Waits up to {@code millis} for a line of stdout or stderr that {@code wanted} accepts, and returns it. */
  public String awaitLine(String what, long millis, Predicate<String> wanted) {
    try {
      Eventually.await(what, millis,
          () -> stdout.stream().anyMatch(wanted) || stderr.stream().anyMatch(wanted) || !process.isAlive());
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " (stdout " + stdout + ", stderr " + stderr + ")", e);
    }
    return stdout.stream().filter(wanted).findFirst()
        .orElseGet(() -> stderr.stream().filter(wanted).findFirst().orElseThrow(() -> new AssertionError(
            what + ": the process ended first with " + process.exitValue() + "; stdout " + stdout + ", stderr "
                + stderr)));
  }

  /** The UDP port of the first {@code listening} line a server printed. */
  public int listeningPort(long millis) {
    Matcher m = LISTENING.matcher(awaitLine("the listening line", millis, l -> LISTENING.matcher(l).find()));
    if (!m.find()) {
      throw new AssertionError("no port in the listening line");
    }
    return Integer.parseInt(m.group(1));
  }

  /** Sends signal {@code name} ({@code TERM}, {@code HUP}, {@code INT}) with {@code kill}. */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits up to {@code millis} for the process to end and its output to be read; returns its exit code. */
  public int waitFor(long millis) throws InterruptedException {
    if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + millis + " ms; stdout " + stdout + ", stderr " + stderr);
    }
    for (Thread reader : readers) {
      reader.join(millis);
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The process id (of the JVM itself when the command execs it, as {@code bash -c 'ulimit ...; exec java'} does). */
  public long pid() {
    return process.pid();
  }

  /** stdout as one string, lines joined with \n. */
  public String out() {
    return String.join("\n", stdout);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
