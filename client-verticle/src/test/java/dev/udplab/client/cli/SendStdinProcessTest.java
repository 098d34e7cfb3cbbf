package dev.udplab.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.client.ClientMain;
import dev.udplab.common.testing.UdpResponder;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code send} reading a 300 MB line from standard input in a 64 MB heap (a child JVM): the line is refused with one
 * message, the lines around it are sent, and the exit code says every reply came.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendStdinProcessTest {

  @Test
  void a_300_mb_line_is_refused_while_it_is_read_and_the_next_line_is_sent() throws Exception {
    long huge = 300L * 1024 * 1024;
    try (UdpResponder echo = UdpResponder.start("127.0.0.1", UdpResponder.echo())) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process send = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
          ClientMain.class.getName(), "send", "--to", echo.target(), "--metrics-port", "0").start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(send.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(send.getErrorStream()));
      try (OutputStream stdin = send.getOutputStream()) {
        stdin.write("before\n".getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) 'x');
        for (long written = 0; written < huge; written += chunk.length) {
          stdin.write(chunk);
        }
        stdin.write("\nafter\n".getBytes(StandardCharsets.US_ASCII));
      }
      assertTrue(send.waitFor(40, TimeUnit.SECONDS), "send ended");
      String stderr = err.get(5, TimeUnit.SECONDS);
      String stdout = out.get(5, TimeUnit.SECONDS);
      assertEquals(0, send.exitValue(), stdout + stderr);
      assertTrue(stderr.contains("skipped a line of " + huge + " bytes: a datagram holds at most 65507"), stderr);
      assertTrue(!stderr.contains("OutOfMemoryError"), stderr);
      assertEquals(2, stdout.lines().filter(l -> l.startsWith("reply from ")).count(), stdout);
      assertTrue(stdout.contains(": before") && stdout.contains(": after"), stdout);
      assertEquals(2, echo.answered());
    }
  }

  private static String read(java.io.InputStream stream) {
    try {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
