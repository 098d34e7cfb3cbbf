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

  private static Process startServer() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        ServerMain.class.getName(), "echo", "--port", "0", "--metrics-port", "0")
        .redirectErrorStream(true)
        .start();
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
