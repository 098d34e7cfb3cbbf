package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udplab.common.testing.Eventually;
import dev.udplab.server.mode.ServerMode;
import dev.udplab.server.socket.UdpServerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.transport.Transport;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The whole process minus main(): ServerRuntime with its own Vert.x (epoll here), metrics over HTTP. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class ServerRuntimeTest {
  private static final String LISTENING =
      "listening mode=(echo|uppercase|greeting|sink) address=127\\.0\\.0\\.1:(\\d+) rcvbuf=\\d+ sndbuf=\\d+ "
          + "transport=(epoll|nio) instances=\\d+";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private ServerRuntime runtime;

  @AfterEach
  void stopServer() {
    if (runtime != null) {
      runtime.stop();
    }
  }

  private ServerRuntime start(String... args) {
    runtime = ServerRuntime.start(ServerConfigTest.config(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        System.err);
    return runtime;
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private int port(ServerMode mode) {
    return runtime.instances().get(mode).get(0).bound().address().port();
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Future<String> scrape(Vertx vertx, int metricsPort) {
    return vertx.createHttpClient()
        .request(HttpMethod.GET, metricsPort, "127.0.0.1", "/metrics")
        .compose(request -> request.send())
        .compose(response -> response.body())
        .map(Buffer::toString);
  }

  /**
   * Sends {@code total} datagrams of {@code size} bytes from one socket in batches of {@code batch}, each batch
   * sent only once every reply of the previous one came back: bounded, so the kernel never has reason to drop.
   */
  private static Future<Void> pacedEcho(Vertx vertx, int port, int total, int batch, int size) {
    DatagramSocket client = vertx.createDatagramSocket();
    Promise<Void> done = Promise.promise();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger received = new AtomicInteger();
    Runnable sendBatch = () -> {
      for (int i = 0; i < batch && sent.get() < total; i++) {
        // numbered, as a flood's datagrams are: the same datagram over and over at full speed looks like a reply
        // loop to the server's loop guard, which leaves every fourth of such a run unanswered
        String number = Integer.toString(sent.incrementAndGet());
        client.send(Buffer.buffer("x".repeat(size - number.length()) + number), port, "127.0.0.1");
      }
    };
    client.handler(packet -> {
      int count = received.incrementAndGet();
      if (count == total) {
        client.close();
        done.complete();
      } else if (count == sent.get()) {
        sendBatch.run();
      }
    });
    client.listen(0, "127.0.0.1").onSuccess(bound -> sendBatch.run()).onFailure(done::fail);
    return done.future();
  }

  @Test
  void echo_counts_2000_datagrams_exactly_and_serves_them_over_http(Vertx vertx, VertxTestContext ctx) throws Exception {
    int metricsPort = freeTcpPort();
    start("echo --port 0 --metrics-port " + metricsPort + " --quiet");
    int port = port(ServerMode.ECHO);
    assertTrue(out().lines().findFirst().get().matches(LISTENING), out());
    assertTrue(out().contains("metrics http://127.0.0.1:" + metricsPort + "/metrics\n"), out());
    UdpServerVerticle echo = runtime.instances().get(ServerMode.ECHO).get(0);
    // A reply is counted as sent when its write completes, which may be just after the client read it.
    pacedEcho(vertx, port, 2000, 50, 32)
        .compose(v -> Eventually.eventually(vertx, () -> echo.bound().metrics().sentCount() == 2000))
        .compose(v -> scrape(vertx, metricsPort))
        .onComplete(ctx.succeeding(text -> ctx.verify(() -> {
          String tags = "{mode=\"echo\",port=\"" + port + "\"}";
          List<String> lines = text.lines().collect(java.util.stream.Collectors.toList());
          assertTrue(lines.contains("udp_server_datagrams_received_total" + tags + " 2000.0"), text);
          assertTrue(lines.contains("udp_server_datagrams_sent_total" + tags + " 2000.0"), text);
          assertTrue(lines.contains("udp_server_bytes_received_total" + tags + " 64000.0"), text);
          assertTrue(lines.contains("udp_server_bytes_sent_total" + tags + " 64000.0"), text);
          assertTrue(lines.contains("udp_server_datagrams_dropped_total{mode=\"echo\",port=\"" + port
              + "\",reason=\"send_failed\"} 0.0"), text);
          assertTrue(lines.stream().anyMatch(l -> l.matches("vertx_datagram_bytes_read_count(\\{.*})? 2000(\\.0)?")), text);
          ctx.completeNow();
        })));
    stopOffTheEventLoop(ctx);
    assertTrue(out().contains("stopped mode=echo port=" + port + " received=2000 sent=2000 dropped=0 heap-used-mib="), out());
  }

  /** Waits for {@code ctx}, then stops the server from this thread: a stop blocks, so never on an event loop. */
  private void stopOffTheEventLoop(VertxTestContext ctx) throws InterruptedException {
    assertTrue(ctx.awaitCompletion(8, TimeUnit.SECONDS), "the traffic did not finish");
    if (ctx.failed()) {
      throw new AssertionError(ctx.causeOfFailure());
    }
    runtime.stop();
  }

  @Test
  void all_runs_four_sockets_and_one_metrics_endpoint(Vertx vertx, VertxTestContext ctx) throws Exception {
    int metricsPort = freeTcpPort();
    start("all", "--port", "0", "--metrics-port", Integer.toString(metricsPort), "--message", "hello lab");
    List<String> lines = out().lines().collect(java.util.stream.Collectors.toList());
    assertEquals(5, lines.size(), out());
    for (int i = 0; i < 4; i++) {
      assertTrue(lines.get(i).matches(LISTENING), lines.get(i));
    }
    assertEquals(List.of(ServerMode.ECHO, ServerMode.UPPERCASE, ServerMode.GREETING, ServerMode.SINK),
        List.copyOf(runtime.instances().keySet()));
    Checkpoint replies = ctx.checkpoint(3);
    DatagramSocket client = vertx.createDatagramSocket();
    client.handler(packet -> ctx.verify(() -> {
      int from = packet.sender().port();
      String text = packet.data().toString();
      if (from == port(ServerMode.ECHO)) {
        assertEquals("Mixed Case", text);
      } else if (from == port(ServerMode.UPPERCASE)) {
        assertEquals("MIXED CASE", text);
      } else if (from == port(ServerMode.GREETING)) {
        assertEquals("hello lab", text);
      } else {
        ctx.failNow("unexpected reply from port " + from + ": " + text);
      }
      replies.flag();
    }));
    client.listen(0, "127.0.0.1").onComplete(ctx.succeeding(bound -> {
      for (ServerMode mode : ServerMode.ALL.sockets()) {
        client.send("Mixed Case", port(mode), "127.0.0.1");
      }
    }));
    assertTrue(ctx.awaitCompletion(8, TimeUnit.SECONDS));
    VertxTestContext scraped = new VertxTestContext();
    scrape(vertx, metricsPort).onComplete(scraped.succeeding(text -> scraped.verify(() -> {
      for (ServerMode mode : ServerMode.ALL.sockets()) {
        assertTrue(text.contains("udp_server_datagrams_received_total{mode=\"" + mode.label() + "\",port=\""
            + port(mode) + "\"} 1.0"), text);
      }
      assertTrue(text.contains("udp_server_datagrams_sent_total{mode=\"sink\",port=\"" + port(ServerMode.SINK) + "\"} 0.0"), text);
      scraped.completeNow();
    })));
    assertTrue(scraped.awaitCompletion(5, TimeUnit.SECONDS));
    if (scraped.failed()) {
      throw new AssertionError(scraped.causeOfFailure());
    }
  }

  @Test
  void instances_bind_one_socket_each_on_the_same_port_and_sum_their_counts(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    assumeTrue(Transport.EPOLL.available(), "native epoll unavailable: " + Transport.EPOLL.unavailabilityCause());
    int port = freeUdpPort();
    start("echo --port " + port + " --instances 2 --metrics-port 0 --quiet");
    assertEquals("epoll", runtime.transportName());
    assertTrue(out().startsWith("listening mode=echo address=127.0.0.1:" + port + " "), out());
    assertTrue(out().contains(" transport=epoll instances=2\n"), out());
    List<UdpServerVerticle> sockets = runtime.instances().get(ServerMode.ECHO);
    assertEquals(2, sockets.size());
    for (UdpServerVerticle socket : sockets) {
      assertEquals(port, socket.bound().address().port());
    }
    assertEquals(2, kernelSocketsOnPort(port), "the kernel lists one UDP socket per instance");
    // Eight client sockets are eight flows; the kernel spreads them by source address and port.
    Future<Void> all = Future.succeededFuture();
    for (int flow = 0; flow < 8; flow++) {
      all = all.compose(v -> pacedEcho(vertx, port, 25, 5, 16));
    }
    // A reply is counted as sent when its write completes, which may be just after the client read it.
    all.compose(v -> Eventually.eventually(vertx, () -> sockets.get(1).bound().metrics().sentCount() == 200)).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(200, sockets.get(0).bound().metrics().receivedCount());
      assertEquals(200, sockets.get(1).bound().metrics().sentCount());
      assertEquals(1, runtime.registry().find("udp_server_datagrams_received").counters().size(),
          "both instances count into one series");
      assertEquals(200, sockets.get(0).bound().metrics().receivedHere() + sockets.get(1).bound().metrics().receivedHere(),
          "each instance counts what its own socket received");
      ctx.completeNow();
    })));
    stopOffTheEventLoop(ctx);
    assertTrue(out().contains("stopped mode=echo port=" + port + " received=200 sent=200 dropped=0"
        + " received-by-instance=" + sockets.get(0).bound().metrics().receivedHere() + "," + sockets.get(1).bound().metrics().receivedHere() + " heap-used-mib="),
        out());
  }

  @Test
  void nio_is_used_when_asked_and_reported(Vertx vertx, VertxTestContext ctx) throws Exception {
    start("uppercase --port 0 --metrics-port 0 --transport nio --rcvbuf 100000");
    assertEquals("nio", runtime.transportName());
    assertTrue(out().matches("listening mode=uppercase address=127\\.0\\.0\\.1:\\d+ rcvbuf=200000 sndbuf=\\d+ "
        + "transport=nio instances=1\n"), out());
    DatagramSocket client = vertx.createDatagramSocket();
    client.handler(packet -> ctx.verify(() -> {
      assertEquals("NIO TOO", packet.data().toString());
      ctx.completeNow();
    }));
    client.listen(0, "127.0.0.1").onComplete(ctx.succeeding(bound -> client.send("nio too", port(ServerMode.UPPERCASE),
        "127.0.0.1")));
  }

  /** How many UDP sockets /proc/net/udp and udp6 list with this local port. */
  private static long kernelSocketsOnPort(int port) throws IOException {
    String local = String.format(Locale.ROOT, ":%04X ", port);
    long count = 0;
    for (String file : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
      Path path = Path.of(file);
      if (Files.exists(path)) {
        count += Files.readAllLines(path).stream().skip(1)
            .filter(line -> line.trim().split("\\s+")[1].endsWith(local.trim())).count();
      }
    }
    return count;
  }

  @Test
  void a_busy_udp_port_fails_with_exit_4_and_one_line(Vertx vertx, VertxTestContext ctx) throws Exception {
    try (java.net.DatagramSocket holder = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      int port = holder.getLocalPort();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ServerProcess started = new ServerProcess();
      Integer code = ServerMain.startFromCommandLine(new String[] {"echo", "--port", Integer.toString(port),
          "--metrics-port", "0"}, new PrintStream(out, true), new PrintStream(err, true), started);
      assertEquals(4, code);
      assertNull(started.runtime());
      assertEquals("udp-server: UDP port 127.0.0.1:" + port + " is already in use: stop the other server or choose "
          + "another --port\n", err.toString(StandardCharsets.UTF_8));
      assertEquals("", out());
    }
    ctx.completeNow();
  }

  @Test
  void a_busy_metrics_port_fails_with_exit_4_and_releases_the_udp_socket(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    int udpPort = freeUdpPort();
    try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ServerProcess started = new ServerProcess();
      Integer code = ServerMain.startFromCommandLine(new String[] {"sink", "--port", Integer.toString(udpPort),
          "--metrics-port", Integer.toString(holder.getLocalPort())}, new PrintStream(out, true),
          new PrintStream(err, true), started);
      assertEquals(4, code);
      assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("udp-server: metrics port (TCP) 127.0.0.1:"
          + holder.getLocalPort() + " is already in use"), err.toString(StandardCharsets.UTF_8));
    }
    // Nothing was left bound: the same UDP port starts cleanly now.
    start("sink --port " + udpPort + " --metrics-port 0");
    assertEquals(udpPort, port(ServerMode.SINK));
    ctx.completeNow();
  }

  @Test
  void an_address_that_is_not_local_fails_with_exit_4(Vertx vertx, VertxTestContext ctx) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Integer code = ServerMain.startFromCommandLine(new String[] {"echo", "--host", "192.0.2.1", "--port", "0",
        "--metrics-port", "0"}, new PrintStream(out, true), new PrintStream(err, true), new ServerProcess());
    assertEquals(4, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("udp-server: cannot bind 192.0.2.1:0: 192.0.2.1 is not "
        + "an address of this machine"), err.toString(StandardCharsets.UTF_8));
    ctx.completeNow();
  }

  @Test
  void a_stop_that_comes_during_the_start_stops_the_server_once_started(Vertx vertx, VertxTestContext ctx) {
    // What SIGTERM right after launch does: main's handler finds no server yet, the start then finds the request.
    ServerProcess process = new ServerProcess();
    assertFalse(process.stop(), "nothing to stop yet");
    Integer code = ServerMain.startFromCommandLine(new String[] {"sink", "--port", "0", "--metrics-port", "0"},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err, process);
    assertEquals(0, code);
    List<String> lines = out().lines().collect(java.util.stream.Collectors.toList());
    assertEquals(2, lines.size(), out());
    assertTrue(lines.get(0).startsWith("listening mode=sink address=127.0.0.1:"), out());
    assertTrue(lines.get(1).matches("stopped mode=sink port=\\d+ received=0 sent=0 dropped=0"
        + " heap-used-mib=[0-9.]+ heap-committed-mib=[0-9.]+ direct-mib=[0-9.]+ rss-peak-mib=[0-9.]+"), out());
    assertNull(process.runtime());
    ctx.completeNow();
  }

  @Test
  void a_stop_after_the_start_stops_the_running_server(Vertx vertx, VertxTestContext ctx) {
    ServerProcess process = new ServerProcess();
    assertNull(ServerMain.startFromCommandLine(new String[] {"echo", "--port", "0", "--metrics-port", "0", "--quiet"},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err, process));
    runtime = process.runtime();
    assertTrue(process.stop());
    assertTrue(out().contains("\nstopped mode=echo port="), out());
    ctx.completeNow();
  }

  @Test
  void the_metrics_line_says_when_the_endpoint_is_public() {
    assertEquals("", ServerRuntime.publicNote("127.0.0.1"));
    assertEquals("", ServerRuntime.publicNote("::1"));
    assertEquals(" (public: every interface)", ServerRuntime.publicNote("0.0.0.0"));
    assertEquals(" (public: every interface)", ServerRuntime.publicNote("::"));
    assertEquals(" (public: reachable from other machines)", ServerRuntime.publicNote("192.0.2.10"));
  }
}
