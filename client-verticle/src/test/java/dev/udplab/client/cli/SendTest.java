package dev.udplab.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.CliRun;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.send.SendOptions;
import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.net.Datagrams;
import dev.udplab.common.runtime.VertxRuntime;
import dev.udplab.common.testing.UdpResponder;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code send} end to end against test servers (common's {@link UdpResponder}) on real loopback sockets. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class SendTest {

  private static final String HOST = "127.0.0.1";

  private final List<UdpResponder> servers = new ArrayList<>();

  static double count(MeterRegistry registry, String name, String target) {
    return registry.get(name).tag("target", target).counter().count();
  }

  /** A test server on {@code host} answering through {@code responder}; closed after the test. */
  UdpResponder server(String host, UnaryOperator<byte[]> responder) {
    try {
      UdpResponder server = UdpResponder.start(host, responder);
      servers.add(server);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A test server on 127.0.0.1 that flags {@code received} for every datagram before it answers. */
  UdpResponder server(UnaryOperator<byte[]> responder, Checkpoint received) {
    return server(HOST, data -> {
      received.flag();
      return responder.apply(data);
    });
  }

  @AfterEach
  void closeServers() throws IOException {
    for (UdpResponder server : servers) {
      server.close();
    }
  }

  /** The Kurose and Ross server: the text in capitals. */
  static UnaryOperator<byte[]> uppercase() {
    return data -> new String(data, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
  }

  /** Drops the first copy of each distinct message and echoes the later ones: exercises retries. */
  static UnaryOperator<byte[]> dropFirstCopy() {
    Set<String> seen = new HashSet<>();
    return data -> seen.add(new String(data, StandardCharsets.UTF_8)) ? null : data;
  }

  @Test
  void a_bare_timeout_is_seconds_as_in_every_duration() {
    SendCommand send = CliRun.parsed("send", "x", "--timeout", "5");
    assertEquals(Duration.ofSeconds(5), send.options().timeout());
  }

  @Test
  void echo_server_answers_each_message_in_order(Vertx vertx, VertxTestContext ctx) {
    UdpResponder echo = server(UdpResponder.echo(), ctx.checkpoint(3));
    CliRun run = CliRun.of("send", "one", "two", "three", "--to", echo.target(), "--metrics-port", "0");
    ctx.verify(() -> {
      assertEquals(0, run.exitCode(), run.err());
      assertEquals(3, run.outLines().size(), run.out());
      String from = "reply from " + HOST + ":" + echo.port() + " (";
      assertTrue(run.outLines().get(0).startsWith(from) && run.outLines().get(0).endsWith("ms): one"), run.out());
      assertTrue(run.outLines().get(1).endsWith("ms): two"), run.out());
      assertTrue(run.outLines().get(2).endsWith("ms): three"), run.out());
      assertEquals("", run.err());
    });
  }

  @Test
  void uppercase_and_greeting_servers_answer_as_in_the_lab(Vertx vertx, VertxTestContext ctx) {
    UdpResponder upper = server(uppercase(), ctx.checkpoint(1));
    UdpResponder greeting = server(UdpResponder.fixed("Hello UDP Client"), ctx.checkpoint(1));
    CliRun upperRun = CliRun.of("send", "input lowercase sentence", "--to", upper.target(), "--metrics-port", "0");
    CliRun greetingRun = CliRun.of("send", "Hello UDP Server", "--to", greeting.target(), "--metrics-port", "0");
    ctx.verify(() -> {
      assertEquals(0, upperRun.exitCode(), upperRun.err());
      assertTrue(upperRun.out().trim().endsWith("ms): INPUT LOWERCASE SENTENCE"), upperRun.out());
      assertEquals(0, greetingRun.exitCode(), greetingRun.err());
      assertTrue(greetingRun.out().trim().endsWith("ms): Hello UDP Client"), greetingRun.out());
    });
  }

  @Test
  void one_client_two_servers(Vertx vertx, VertxTestContext ctx) {
    UdpResponder echo = server(UdpResponder.echo(), ctx.checkpoint(2));
    UdpResponder greeting = server(UdpResponder.fixed("Hello UDP Client"), ctx.checkpoint(2));
    CliRun run = CliRun.of("send", "a", "b", "--to", echo.target(), "--to", greeting.target(),
        "--metrics-port", "0");
    ctx.verify(() -> {
      assertEquals(0, run.exitCode(), run.err());
      assertEquals(4, run.outLines().size(), run.out());
      long fromEcho = run.outLines().stream().filter(l -> l.startsWith("reply from " + echo.target())).count();
      long greetings = run.outLines().stream()
          .filter(l -> l.startsWith("reply from " + greeting.target()) && l.endsWith("): Hello UDP Client"))
          .count();
      assertEquals(2, fromEcho, run.out());
      assertEquals(2, greetings, run.out());
    });
  }

  @Test
  void standard_input_lines_are_the_messages(Vertx vertx, VertxTestContext ctx) {
    UdpResponder upper = server(uppercase(), ctx.checkpoint(3));
    InputStream lines = new ByteArrayInputStream(("first line\nsecond\n\n" + "z".repeat(65508) + "\nthird\n")
        .getBytes(StandardCharsets.UTF_8));
    CliRun run = CliRun.of(lines, "send", "--to", upper.target(), "--metrics-port", "0");
    ctx.verify(() -> {
      assertEquals(0, run.exitCode(), run.err());
      List<String> out = run.outLines();
      assertEquals(3, out.size(), run.out());
      assertTrue(out.get(0).endsWith("ms): FIRST LINE"), run.out());
      assertTrue(out.get(1).endsWith("ms): SECOND"), run.out());
      assertTrue(out.get(2).endsWith("ms): THIRD"), run.out());
      assertEquals(List.of("skipped an empty line: Vert.x cannot send a zero-length datagram",
          "skipped a line of 65508 bytes: a datagram holds at most 65507"), run.errLines());
    });
  }

  @Test
  void a_server_that_never_answers_times_out_with_exit_1(Vertx vertx, VertxTestContext ctx) {
    UdpResponder silent = server(UdpResponder.silent(), ctx.checkpoint(2));
    UdpResponder echo = server(UdpResponder.echo(), ctx.checkpoint(2));
    try (VertxRuntime runtime = CliRun.runtime()) {
      // 1 s: long enough that the echo target's replies make it even on a loaded machine
      SendOptions options = SendOptions.to(List.of(HostPort.parse(silent.target()), HostPort.parse(echo.target())));
      CliRun run = CliRun.send(runtime, options, "ping", "pong");
      MeterRegistry registry = runtime.registry();
      String target = silent.target();
      ctx.verify(() -> {
        assertEquals(ExitCodes.NO_REPLY, run.exitCode());
        assertEquals(List.of("no reply from " + target + " to \"ping\" within 1s",
            "no reply from " + target + " to \"pong\" within 1s"), run.errLines());
        assertEquals(2, run.outLines().size(), run.out());
        assertEquals(2.0, count(registry, "udp_client_timeouts", target));
        assertEquals(2.0, count(registry, "udp_client_datagrams_lost", target));
        assertEquals(2.0, count(registry, "udp_client_datagrams_sent", target));
        assertEquals(0.0, count(registry, "udp_client_datagrams_received", target));
        assertEquals(0.0, count(registry, "udp_client_timeouts", echo.target()));
        assertEquals(2.0, count(registry, "udp_client_datagrams_received", echo.target()));
      });
    }
  }

  @Test
  void retries_recover_a_dropped_request(Vertx vertx, VertxTestContext ctx) {
    UdpResponder flaky = server(dropFirstCopy(), ctx.checkpoint(4));
    try (VertxRuntime runtime = CliRun.runtime()) {
      SendOptions options = new SendOptions(List.of(HostPort.parse(flaky.target())), Duration.ofMillis(500), 1, true,
          SocketBuffers.KERNEL_DEFAULTS);
      CliRun run = CliRun.send(runtime, options, "x", "y");
      MeterRegistry registry = runtime.registry();
      String target = flaky.target();
      ctx.verify(() -> {
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(2, run.outLines().size(), run.out());
        assertEquals(4.0, count(registry, "udp_client_datagrams_sent", target));
        assertEquals(2.0, count(registry, "udp_client_datagrams_received", target));
        assertEquals(2.0, count(registry, "udp_client_timeouts", target));
        assertEquals(0.0, count(registry, "udp_client_datagrams_lost", target));
      });
    }
  }

  @Test
  void retries_that_all_time_out_count_every_attempt(Vertx vertx, VertxTestContext ctx) {
    UdpResponder silent = server(UdpResponder.silent(), ctx.checkpoint(3));
    CliRun run = CliRun.of("send", "hello", "--to", silent.target(), "--timeout", "100ms", "--retries", "2",
        "--metrics-port", "0");
    ctx.verify(() -> {
      assertEquals(1, run.exitCode());
      assertEquals(List.of("no reply from " + silent.target() + " to \"hello\" within 100ms (3 attempts)"),
          run.errLines());
    });
  }

  @Test
  void replies_from_another_address_are_ignored_and_counted(Vertx vertx, VertxTestContext ctx) {
    DatagramSocket injector = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(false));
    injector.listen(0, HOST).await();
    Checkpoint received = ctx.checkpoint(3);
    // For each request: a forged reply from a third socket first, then the real one.
    DatagramSocket server = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(false));
    server.handler(packet -> {
      received.flag();
      int port = packet.sender().port();
      String host = packet.sender().hostAddress();
      injector.send(Buffer.buffer("FORGED"), port, host)
          .compose(v -> server.send(packet.data(), port, host));
    });
    server.listen(0, HOST).await();
    String target = HOST + ":" + server.localAddress().port();
    try (VertxRuntime runtime = CliRun.runtime()) {
      SendOptions options = SendOptions.to(List.of(HostPort.parse(target)));
      CliRun run = CliRun.send(runtime, options, "a", "b", "c");
      MeterRegistry registry = runtime.registry();
      ctx.verify(() -> {
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(3, run.outLines().size(), run.out());
        assertTrue(run.outLines().stream().noneMatch(l -> l.contains("FORGED")), run.out());
        assertTrue(run.outLines().get(2).endsWith("ms): c"), run.out());
        assertEquals(3.0, count(registry, "udp_client_datagrams_unexpected", target));
        assertEquals(3.0, count(registry, "udp_client_datagrams_received", target));
      });
    }
  }

  @Test
  void no_reply_fires_and_forgets_at_a_sink(Vertx vertx, VertxTestContext ctx) {
    List<String> seen = new ArrayList<>();
    Checkpoint received = ctx.checkpoint(3);
    UdpResponder sink = server(HOST, data -> {
      seen.add(new String(data, StandardCharsets.UTF_8));
      if (seen.size() == 3) {
        // before the last flag: once the context completes, a failure could come too late to count
        ctx.verify(() -> assertEquals(List.of("Hello, World!", "2", "3"), seen));
      }
      received.flag();
      return null;
    });
    try (VertxRuntime runtime = CliRun.runtime()) {
      SendOptions options = new SendOptions(List.of(HostPort.parse(sink.target())), Duration.ofSeconds(5), 0, false,
          SocketBuffers.KERNEL_DEFAULTS);
      long started = System.nanoTime();
      CliRun run = CliRun.send(runtime, options, "Hello, World!", "2", "3");
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
      ctx.verify(() -> {
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertTrue(elapsedMillis < 5000, "waited for a reply: " + elapsedMillis + " ms");
        assertEquals(3.0, count(runtime.registry(), "udp_client_datagrams_sent", sink.target()));
        assertEquals(0.0, count(runtime.registry(), "udp_client_timeouts", sink.target()));
      });
    }
  }

  @Test
  void ipv6_loopback_round_trip(Vertx vertx, VertxTestContext ctx) throws Exception {
    Assumptions.assumeTrue(ipv6LoopbackAvailable(), "this machine has no ::1");
    UdpResponder echo = server("::1", UdpResponder.echo());
    CliRun run = CliRun.of("send", "over six", "--to", "[::1]:" + echo.port(), "--metrics-port", "0");
    ctx.verify(() -> {
      assertEquals(0, run.exitCode(), run.err());
      assertTrue(run.out().startsWith("reply from [::1]:" + echo.port() + " ("), run.out());
      assertTrue(run.out().trim().endsWith("ms): over six"), run.out());
    });
    ctx.completeNow();
  }

  static boolean ipv6LoopbackAvailable() {
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket(
        new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
      return probe.getLocalPort() > 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void large_replies_arrive_whole(Vertx vertx, VertxTestContext ctx) {
    UdpResponder echo = server(UdpResponder.echo(), ctx.checkpoint(1));
    String big = "x".repeat(Datagrams.MAX_PAYLOAD_BYTES);
    try (VertxRuntime runtime = CliRun.runtime()) {
      SendOptions options = SendOptions.to(List.of(HostPort.parse(echo.target())));
      CliRun run = CliRun.send(runtime, options, big);
      ctx.verify(() -> {
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().trim().endsWith("ms): " + big), "reply was cut");
        assertEquals((double) big.length(), count(runtime.registry(), "udp_client_bytes_received",
            echo.target()));
      });
    }
  }

  @Test
  void the_receive_buffer_size_does_not_cut_or_starve_replies(Vertx vertx, VertxTestContext ctx) {
    // Vert.x sizes each read to SO_RCVBUF: 8K cut this reply, 256M allocated 256 MB per read and lost it
    UdpResponder echo = server(UdpResponder.echo(), ctx.checkpoint(2));
    String big = "x".repeat(Datagrams.MAX_PAYLOAD_BYTES);
    CliRun small = CliRun.of("send", big, "--to", echo.target(), "--rcvbuf", "8K", "--metrics-port", "0");
    CliRun huge = CliRun.of("send", "hi", "--to", echo.target(), "--rcvbuf", "256M", "--metrics-port", "0");
    ctx.verify(() -> {
      assertEquals(0, small.exitCode(), small.err());
      assertTrue(small.out().trim().endsWith("ms): " + big), "reply was cut");
      assertEquals(0, huge.exitCode(), huge.err());
      assertTrue(huge.out().trim().endsWith("ms): hi"), huge.out());
    });
  }

}
