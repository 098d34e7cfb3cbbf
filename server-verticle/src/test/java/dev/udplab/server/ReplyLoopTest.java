package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udplab.common.testing.Eventually;
import dev.udplab.common.testing.PrometheusText;
import dev.udplab.server.guard.LoopDetector;
import dev.udplab.server.mode.ServerMode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reply loops on real sockets, started as an attacker would: one datagram with a forged source, sent through a raw
 * socket by {@code spoof-udp.py} (root; skipped where raw sockets are refused). Two servers in one JVM are two
 * {@link ServerRuntime}s, which know nothing of each other's sockets: only the loop detector stands between them,
 * as between two hosts. The namespace check ({@code loop-namespaces-check.sh}, a CI step) does the same across
 * two network namespaces on public binds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplyLoopTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final String PAYLOAD = "a spoofed request, lower case";
  private static final List<ServerMode> ANSWERING = List.of(ServerMode.ECHO, ServerMode.UPPERCASE, ServerMode.GREETING);
  private static Process spoofer;
  private static BufferedWriter spoofRequests;
  private static BufferedReader spoofAcks;

  private final List<ServerRuntime> runtimes = new ArrayList<>();

  @BeforeAll
  static void rawSocketsAvailable() throws Exception {
    Path script = Path.of(ReplyLoopTest.class.getResource("/spoof-udp.py").toURI());
    try {
      // one process for every datagram of the class: a Python start costs more than a loop
      spoofer = new ProcessBuilder("python3", script.toString(), "--lines")
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      assumeTrue(false, "skipped: no python3 to send spoofed datagrams with (" + e.getMessage() + ")");
    }
    spoofRequests = new BufferedWriter(new OutputStreamWriter(spoofer.getOutputStream(), StandardCharsets.US_ASCII));
    spoofAcks = new BufferedReader(new InputStreamReader(spoofer.getInputStream(), StandardCharsets.US_ASCII));
    // a datagram to the discard port of 127.0.0.1, where nothing listens: only whether the raw socket opens matters
    boolean sent = spoof("127.0.0.1", 40000, "127.0.0.1", 9, "probe");
    assumeTrue(sent, "skipped: raw sockets are refused here (spoof-udp.py exit " + exitCode()
        + "); the loop tests need root or CAP_NET_RAW");
  }

  private static String exitCode() {
    try {
      return spoofer.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(spoofer.exitValue()) : "none";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "none";
    }
  }

  @AfterAll
  static void stopSpoofer() {
    if (spoofer != null) {
      spoofer.destroy();
    }
  }

  /** Sends one datagram from {@code source}:{@code sourcePort}; true once the raw socket has sent it. */
  private static boolean spoof(String source, int sourcePort, String target, int targetPort, String payload) {
    try {
      spoofRequests.write(source + " " + sourcePort + " " + target + " " + targetPort + " " + payload + "\n");
      spoofRequests.flush();
      return "sent".equals(spoofAcks.readLine());
    } catch (IOException e) {
      return false; // the spoofer has exited
    }
  }

  @AfterEach
  void stopAll() {
    runtimes.forEach(ServerRuntime::stop);
  }

  private ServerRuntime start(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--port", "0", "--metrics-port", "0", "--quiet"));
    ServerRuntime runtime = ServerRuntime.start(ServerConfigTest.config(all.toArray(String[]::new)), QUIET, QUIET);
    runtimes.add(runtime);
    return runtime;
  }

  private static int port(ServerRuntime runtime, ServerMode mode) {
    return runtime.instances().get(mode).get(0).bound().address().port();
  }

  private static long count(ServerRuntime runtime, String name, String... labels) {
    return PrometheusText.count(runtime.registry().scrape(), name, labels);
  }

  private static long loopDrops(ServerRuntime runtime) {
    return count(runtime, "udp_server_datagrams_dropped_total", "reason=loop");
  }

  private static long sent(ServerRuntime runtime) {
    return count(runtime, "udp_server_datagrams_sent_total");
  }

  @Test
  void a_datagram_from_the_socket_itself_is_not_answered() {
    for (String host : new String[] {"127.0.0.1", "::1"}) {
      for (ServerMode mode : ANSWERING) {
        ServerRuntime server = start(mode.label(), "--host", host);
        int port = port(server, mode);
        assertTrue(spoof(host, port, host, port, PAYLOAD));
        Eventually.await(mode + " on " + host + " to drop it", 5000, () -> loopDrops(server) == 1);
        assertEquals(1, count(server, "udp_server_datagrams_received_total"));
        assertEquals(0, sent(server), mode + " on " + host);
      }
    }
  }

  @Test
  void all_never_answers_its_siblings() {
    ServerRuntime all = start("all");
    List<ServerMode> sockets = ServerMode.ALL.sockets();
    for (ServerMode target : ANSWERING) {
      for (ServerMode source : sockets) {
        if (source != target) {
          assertTrue(spoof("127.0.0.1", port(all, source), "127.0.0.1", port(all, target), PAYLOAD));
        }
      }
    }
    long spoofed = 3L * (sockets.size() - 1);
    Eventually.await("every spoofed datagram dropped", 5000, () -> loopDrops(all) == spoofed);
    assertEquals(0, sent(all));
  }

  @Test
  void one_spoofed_datagram_between_two_servers_yields_a_handful_of_replies_in_every_mode_pair() {
    // As LoopDetectorTest simulates: rows the spoofed source's mode, columns the target's (echo, uppercase, greeting).
    long[][] replies = {{6, 7, 7}, {8, 7, 7}, {8, 8, 7}};
    for (String guards : new String[] {"auto", "on"}) {
      // one server per mode on each side; each pair is its own flow (address and port), so runs do not interfere
      List<ServerRuntime> sideA = new ArrayList<>();
      List<ServerRuntime> sideB = new ArrayList<>();
      for (ServerMode mode : ANSWERING) {
        sideA.add(start(mode.label(), "--guards", guards));
        sideB.add(start(mode.label(), "--guards", guards));
      }
      for (int a = 0; a < ANSWERING.size(); a++) {
        for (int b = 0; b < ANSWERING.size(); b++) {
          ServerRuntime serverA = sideA.get(a);
          ServerRuntime serverB = sideB.get(b);
          String pair = ANSWERING.get(a) + " (spoofed source) and " + ANSWERING.get(b) + " (target), --guards "
              + guards;
          long dropsBefore = loopDrops(serverA) + loopDrops(serverB);
          long sentBefore = sent(serverA) + sent(serverB);
          assertTrue(spoof("127.0.0.1", port(serverA, ANSWERING.get(a)), "127.0.0.1",
              port(serverB, ANSWERING.get(b)), PAYLOAD));
          Eventually.await(pair + ": one loop drop", 5000,
              () -> loopDrops(serverA) + loopDrops(serverB) == dropsBefore + 1);
          // The drop ended it: every reply before it has been sent and answered. A hop that a loaded machine delays
          // past the 500 ms window restarts the count of repeats, so a few more replies are possible, never fewer.
          long got = sent(serverA) + sent(serverB) - sentBefore;
          assertTrue(got >= replies[a][b] && got <= replies[a][b] + 2 * LoopDetector.LOOP_REPEATS,
              pair + ": " + got + " replies, " + replies[a][b] + " expected");
        }
      }
    }
  }
}
