package dev.udplab.client;

import dev.udplab.common.testing.ChildJvm;
import dev.udplab.server.ServerMain;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code udp-server} as its own process on 127.0.0.1: a free UDP port, a free metrics port, quiet.
 *
 * @param jvm     the process
 * @param port    the UDP port its listening line names
 * @param metrics its /metrics URL
 */
public record UdpServerProcess(ChildJvm jvm, int port, String metrics) implements AutoCloseable {

  /** {@code udp-server MODE ARGS --port 0 --metrics-port FREE --quiet}, started and listening. */
  public static UdpServerProcess start(String mode, String... args) throws IOException {
    int metricsPort = ChildJvm.freeTcpPort();
    List<String> all = new ArrayList<>(List.of(mode));
    all.addAll(List.of(args));
    all.addAll(List.of("--port", "0", "--metrics-port", Integer.toString(metricsPort), "--quiet"));
    ChildJvm jvm = ChildJvm.start(ChildJvm.javaCommand(ServerMain.class, all.toArray(String[]::new)));
    try {
      int port = jvm.listeningPort(30_000);
      jvm.awaitLine("the metrics line", 30_000, l -> l.startsWith("metrics "));
      return new UdpServerProcess(jvm, port, "http://127.0.0.1:" + metricsPort + "/metrics");
    } catch (RuntimeException | Error e) {
      jvm.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT}, for {@code --to}. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    jvm.close();
  }
}
