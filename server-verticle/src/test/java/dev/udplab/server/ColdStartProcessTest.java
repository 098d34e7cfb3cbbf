package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.testing.PrometheusText;
import dev.udplab.common.testing.UdpPeers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fresh server in a child JVM, default flags and buffers, is ready when it says so: at the {@code listening} line
 * no meter has counted anything (the warm-up is invisible), and a paced burst sent right after it is answered
 * whole. Paced at 2,000 pps, well below the 20,000 the warm-up is for, so this is no timing test: a server that
 * stalled 100 ms on its first datagram (as it did before the warm-up) still loses here, a ready one never does.
 * Plain JUnit with its own timeout (in seconds) because a JVM start on a loaded 2-core machine takes a few seconds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ColdStartProcessTest {
  private static final Pattern LISTENING = Pattern.compile("listening mode=echo address=127\\.0\\.0\\.1:(\\d+) .*");
  private static final int BURST = 2_000;
  private static final int PER_MILLISECOND = 2;

  @Test
  void a_fresh_server_counts_nothing_at_listening_and_answers_a_paced_burst_right_after() throws Exception {
    int metricsPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      metricsPort = free.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ServerMain.class.getName(),
        "echo", "--port", "0", "--metrics-port", Integer.toString(metricsPort), "--quiet")
        .redirectErrorStream(true).start();
    try (BufferedReader output = new BufferedReader(new InputStreamReader(server.getInputStream(),
        StandardCharsets.UTF_8));
         DatagramChannel client = UdpPeers.socket("127.0.0.1")) {
      String first = output.readLine();
      Matcher listening = LISTENING.matcher(String.valueOf(first));
      assertTrue(listening.matches(), first);
      int port = Integer.parseInt(listening.group(1));
      client.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
      AtomicLong replies = new AtomicLong();
      Thread reader = new Thread(() -> {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        try {
          while (replies.get() < BURST && client.receive(buffer.clear()) != null) {
            replies.incrementAndGet();
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      }, "cold-start-replies");
      reader.setDaemon(true);
      reader.start();
      long sent = UdpPeers.sendPaced(List.of(client), new InetSocketAddress("127.0.0.1", port), BURST, 64,
          PER_MILLISECOND, () -> false);
      reader.join(10_000);
      assertEquals(BURST, sent);
      assertEquals(BURST, replies.get(), "every datagram of the burst answered");
      String metrics = output.readLine();
      assertTrue(String.valueOf(metrics).startsWith("metrics "), metrics);
      String scrape = PrometheusText.scrape("http://127.0.0.1:" + metricsPort + "/metrics");
      String portLabel = "port=" + port;
      assertEquals(BURST, PrometheusText.count(scrape, "udp_server_datagrams_received_total", portLabel), scrape);
      assertEquals(BURST, PrometheusText.count(scrape, "udp_server_datagrams_sent_total", portLabel), scrape);
      assertEquals(0, PrometheusText.count(scrape, "udp_server_kernel_drops_total", portLabel), scrape);
      assertEquals(BURST, PrometheusText.count(scrape, "vertx_datagram_bytes_read_count"), "no warm-up datagram counted");
      assertEquals(BURST, PrometheusText.count(scrape, "vertx_datagram_bytes_written_count"));
    } finally {
      server.destroyForcibly();
      server.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
