package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * main() in a child JVM: a signal stops it with the final counts and exit code 0. Plain JUnit with its own
 * timeout (in seconds) because a JVM start on a loaded 2-core machine takes a few seconds.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerProcessTest {
  private static final Pattern LISTENING = Pattern.compile("listening mode=echo address=127\\.0\\.0\\.1:(\\d+) .*");

  /** An echo server in a child JVM with a 64 MiB heap, {@code jvmOptions} and stderr on stdout. */
  private static Process startServer(String... jvmOptions) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m"));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerMain.class.getName(), "echo", "--port",
        "0", "--metrics-port", "0"));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static void stopsWithCountsAndExit0(Runnable sendSignal) throws Exception {
    Process server = startServer();
    try (BufferedReader output = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
      String first = output.readLine();
      Matcher listening = LISTENING.matcher(String.valueOf(first));
      assertTrue(listening.matches(), first);
      int port = Integer.parseInt(listening.group(1));
      try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        client.setSoTimeout(5000);
        byte[] hello = "Hello UDP Server".getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket reply = new DatagramPacket(new byte[64], 64);
        client.receive(reply);
        assertEquals("Hello UDP Server", new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8));
      }
      sendSignal.accept(server);
      List<String> rest = new ArrayList<>();
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        rest.add(line);
      }
      assertTrue(server.waitFor(20, TimeUnit.SECONDS));
      assertEquals(0, server.exitValue(), String.join("\n", rest));
      assertTrue(rest.stream().anyMatch(line -> line.startsWith("stopped mode=echo port=" + port
          + " received=1 sent=1 dropped=0 heap-used-mib=")), String.join("\n", rest));
    } finally {
      server.destroyForcibly();
    }
  }

  @FunctionalInterface
  private interface Runnable {
    void accept(Process process) throws Exception;
  }

  @Test
  void sigterm_during_the_start_stops_it_with_final_counts_and_exit_0() throws Exception {
    // The handlers come first in main: a SIGTERM right after them (ProcessProperties is the next class main loads)
    // is kept until the start has finished, then the server stops with its counts, exit 0, not the JVM's silent 143.
    Process server = startServer("-verbose:class");
    try (BufferedReader output = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>();
      boolean signalled = false;
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        lines.add(line);
        if (!signalled && line.contains(" dev.udplab.common.runtime.ProcessProperties ")) {
          server.toHandle().destroy(); // SIGTERM, long before the sockets are bound
          signalled = true;
        }
      }
      assertTrue(signalled, "main started");
      assertTrue(server.waitFor(20, TimeUnit.SECONDS));
      List<String> printed = lines.stream().filter(l -> !l.startsWith("[")).toList(); // without -verbose:class
      assertEquals(0, server.exitValue(), String.join("\n", printed));
      assertTrue(printed.stream().anyMatch(l -> l.matches("stopped mode=echo port=\\d+ received=0 sent=0 dropped=0"
          + " heap-used-mib=[0-9.]+ heap-committed-mib=[0-9.]+ direct-mib=[0-9.]+ rss-peak-mib=[0-9.]+")),
          String.join("\n", printed));
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void out_of_memory_while_building_the_guards_closes_everything_and_exits_4_with_one_line() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        ServerMain.class.getName(), "all", "--port", "0", "--metrics-port", "0", "--guards", "on", "--max-sources",
        "1048576").start();
    try {
      assertTrue(server.waitFor(20, TimeUnit.SECONDS), "the server exits by itself");
      String stdout = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String stderr = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(4, server.exitValue(), stdout + stderr);
      assertEquals("", stdout, "nothing was bound, so nothing is listening");
      assertEquals(1, stderr.lines().count(), stderr);
      assertTrue(stderr.startsWith("udp-server: out of memory while starting ("), stderr);
      assertTrue(stderr.contains("--max-sources"), stderr);
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void what_a_log_record_needs_is_loaded_before_the_server_answers() throws Exception {
    // At the descriptor limit the first log record could not open lib/tzdb.dat and broke the process for good.
    Process server = startServer("-verbose:class");
    try (BufferedReader output = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> loaded = new ArrayList<>();
      for (String line = output.readLine(); line != null && !line.startsWith("listening "); line = output.readLine()) {
        loaded.add(line);
      }
      for (String name : new String[] {"sun.util.calendar.ZoneInfoFile", "java.util.logging.SimpleFormatter",
          "java.util.logging.ConsoleHandler", "io.netty.util.internal.logging.InternalLoggerFactory"}) {
        assertTrue(loaded.stream().anyMatch(line -> line.contains(" " + name + " ")), name + " loaded at start");
      }
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void sigterm_prints_final_counts_and_exits_0() throws Exception {
    // ProcessHandle.destroy sends SIGTERM without closing our end of the pipes, as Process.destroy would.
    stopsWithCountsAndExit0(process -> process.toHandle().destroy());
  }

  @Test
  void sigint_prints_final_counts_and_exits_0() throws Exception {
    // A shell starts background jobs with SIGINT ignored; children inherit that and no handler can be installed.
    String status = Files.readString(Path.of("/proc/self/status"));
    Matcher ignored = Pattern.compile("SigIgn:\\s*([0-9a-f]+)").matcher(status);
    assumeFalse(ignored.find() && (Long.parseLong(ignored.group(1), 16) & 0x2) != 0, "SIGINT is ignored in this JVM");
    stopsWithCountsAndExit0(process -> new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
        .inheritIO().start().waitFor());
  }
}
