package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.net.ProcNetUdp;
import dev.udplab.common.testing.Eventually;
import dev.udplab.common.testing.PrometheusText;
import dev.udplab.common.testing.UdpPeers;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server as its own process ({@code ServerMain} on this module's class path, as the jar runs it) at a small
 * heap: a flood of a million and a half datagrams, SIGTERM after and during a flood.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class ServerFloodProcessTest {

  private static final Pattern LISTENING = Pattern.compile("^listening mode=\\S+ address=\\S+:(\\d+) ");
  private static final Pattern STOPPED =
      Pattern.compile("^stopped mode=(\\S+) port=(\\d+) received=(\\d+) sent=(\\d+) dropped=(\\d+)"
          + "( received-by-instance=\\S+)? heap-used-mib=[0-9.]+ heap-committed-mib=[0-9.]+ direct-mib=[0-9.]+"
          + " rss-peak-mib=[0-9.]+$");

  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Process server;
  private int udpPort;
  private int metricsPort;

  private void startServer(String... args) throws Exception {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      metricsPort = free.getLocalPort();
    }
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), ServerMain.class.getName()));
    command.addAll(List.of(args));
    command.addAll(List.of("--port", "0", "--metrics-port", Integer.toString(metricsPort), "--quiet"));
    server = new ProcessBuilder(command).start();
    collect(server.getInputStream(), stdout);
    collect(server.getErrorStream(), stderr);
    Eventually.await("the metrics line", 20_000, () -> stdout.stream().anyMatch(l -> l.startsWith("metrics "))
        || !server.isAlive());
    assertTrue(server.isAlive(), "server exited: " + stdout + stderr);
    Matcher m = LISTENING.matcher(stdout.get(0));
    assertTrue(m.find(), stdout.get(0));
    udpPort = Integer.parseInt(m.group(1));
  }

  private static void collect(java.io.InputStream stream, List<String> lines) {
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "server-output");
    reader.setDaemon(true);
    reader.start();
  }

  @AfterEach
  void killServer() {
    if (server != null && server.isAlive()) {
      server.destroyForcibly();
    }
  }

  private String scrape() {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build();
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private long metric(String scrape, String name) {
    return PrometheusText.count(scrape, name, "port=" + udpPort);
  }

  /** Waits until received + kernel drops = {@code sent} and every received datagram is answered or dropped. */
  private String awaitSettled(long sent) {
    String[] last = new String[1];
    try {
      Eventually.await("received + kernel drops = " + sent + " and received = answered + dropped", 30_000, () -> {
        String s = scrape();
        last[0] = s;
        long received = metric(s, "udp_server_datagrams_received_total");
        return received + metric(s, "udp_server_kernel_drops_total") == sent
            && received == metric(s, "udp_server_datagrams_sent_total")
            + metric(s, "udp_server_datagrams_dropped_total");
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the last scrape: received="
          + metric(last[0], "udp_server_datagrams_received_total") + " kernel drops="
          + metric(last[0], "udp_server_kernel_drops_total") + " answered="
          + metric(last[0], "udp_server_datagrams_sent_total") + " dropped="
          + metric(last[0], "udp_server_datagrams_dropped_total") + " receive queue="
          + metric(last[0], "udp_server_receive_queue_bytes") + " bytes; stderr " + stderr, e);
    }
    return last[0];
  }

  private long[] stopAndReadFinalCounts() throws Exception {
    // SIGTERM through the handle: Process.destroy() would also close our end of its stdout.
    server.toHandle().destroy();
    assertTrue(server.waitFor(20, TimeUnit.SECONDS), "server did not exit after SIGTERM");
    assertEquals(0, server.exitValue(), "exit code after SIGTERM; stdout: " + stdout + " stderr: " + stderr);
    Eventually.await("the stopped line in " + stdout + stderr, 5000,
        () -> stdout.stream().anyMatch(l -> l.startsWith("stopped ")));
    String line = stdout.stream().filter(l -> l.startsWith("stopped ")).findFirst().orElseThrow();
    Matcher m = STOPPED.matcher(line);
    assertTrue(m.matches(), line);
    return new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(5))};
  }

  /** Tagged slow (how long it takes: bench/RESULTS.md): run with -Dgroups=slow -DexcludedGroups= . */
  @Test
  @Tag("slow")
  void heap_of_64m_takes_a_million_and_a_half_datagrams_with_exact_counts(VertxTestContext ctx) throws Exception {
    Assumptions.assumeTrue(ProcNetUdp.system().available(), "needs /proc/net/udp (Linux)");
    long count = Long.getLong("udplab.memoryFloodCount", 1_500_000);
    // The public policy on loopback: most of the flood is rate limited, the rest answered with 16 bytes.
    startServer("greeting", "--guards", "on");
    long t0 = System.nanoTime();
    List<DatagramChannel> senders = UdpPeers.sockets("127.0.0.1", 4);
    long sent = UdpPeers.send(senders, new InetSocketAddress("127.0.0.1", udpPort), count, 32);
    UdpPeers.closeAll(senders);
    double floodSeconds = (System.nanoTime() - t0) / 1e9;
    String last = awaitSettled(sent);
    long received = metric(last, "udp_server_datagrams_received_total");
    long kernelDrops = metric(last, "udp_server_kernel_drops_total");
    long rateLimited = PrometheusText.count(last, "udp_server_datagrams_dropped_total", "port=" + udpPort,
        "reason=rate_limited");
    long[] stopped = stopAndReadFinalCounts();
    System.out.printf("memory: sent=%d in %.1f s, received=%d kernelDrops=%d answered=%d rateLimited=%d%n", sent,
        floodSeconds, received, kernelDrops, stopped[1], rateLimited);
    ctx.verify(() -> {
      assertEquals(count, sent);
      assertEquals(sent, received + kernelDrops);
      assertTrue(rateLimited > 0, "one source far above 1000/s is rate limited");
      assertEquals(received, stopped[0]);
      assertFalse(String.join("\n", stdout).contains("OutOfMemoryError"), String.join("\n", stdout));
      assertFalse(String.join("\n", stderr).contains("OutOfMemoryError"), String.join("\n", stderr));
      assertEquals(List.of(), stderr);
    });
    ctx.completeNow();
  }

  @Test
  void sigterm_after_a_flood_prints_the_counts_of_the_last_scrape_and_exits_0(VertxTestContext ctx)
      throws Exception {
    startServer("echo");
    List<DatagramChannel> senders = UdpPeers.sockets("127.0.0.1", 2);
    long sent = UdpPeers.send(senders, new InetSocketAddress("127.0.0.1", udpPort), 50_000, 64);
    String last = awaitSettled(sent);
    long[] stopped = stopAndReadFinalCounts();
    UdpPeers.closeAll(senders);
    ctx.verify(() -> {
      assertEquals(metric(last, "udp_server_datagrams_received_total"), stopped[0]);
      assertEquals(metric(last, "udp_server_datagrams_sent_total"), stopped[1]);
      assertEquals(metric(last, "udp_server_datagrams_dropped_total"), stopped[2]);
    });
    ctx.completeNow();
  }

  @Test
  void sigterm_during_a_flood_exits_0_with_consistent_final_counts(VertxTestContext ctx) throws Exception {
    startServer("echo");
    scrape(); // warm: the first scrape of a cold JVM is not what this test is about
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong sent = new AtomicLong();
    Thread flood = new Thread(() -> {
      try {
        List<DatagramChannel> senders = UdpPeers.sockets("127.0.0.1", 2);
        while (!stop.get()) {
          sent.addAndGet(UdpPeers.send(senders, new InetSocketAddress("127.0.0.1", udpPort), 1024, 64));
        }
        UdpPeers.closeAll(senders);
      } catch (IOException e) {
        // a send refused once the server is gone (ICMP port unreachable) ends the flood
      }
    }, "flood");
    flood.start();
    Eventually.await("the flood to reach the server", 10_000, () -> sent.get() > 20_000);
    String last = scrape();
    long[] stopped = stopAndReadFinalCounts();
    stop.set(true);
    flood.join(5000);
    long lastReceived = metric(last, "udp_server_datagrams_received_total");
    System.out.printf("sigterm during flood: last scrape received=%d, final received=%d sent=%d dropped=%d%n",
        lastReceived, stopped[0], stopped[1], stopped[2]);
    ctx.verify(() -> {
      assertTrue(stopped[0] >= lastReceived, "final counts include everything the last scrape saw");
      assertTrue(stopped[0] <= sent.get());
      assertEquals(stopped[0], stopped[1] + stopped[2], "final received = answered + dropped");
    });
    ctx.completeNow();
  }
}
