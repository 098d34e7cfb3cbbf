package dev.udplab.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Minimal test-only UDP servers on plain Vert.x sockets (the client module shares no code with the server
 * module). Each binds port 0 and answers through a {@code responder}; null from it means no answer.
 */
final class TestUdpServer {

  final DatagramSocket socket;

  private TestUdpServer(DatagramSocket socket) {
    this.socket = socket;
  }

  int port() {
    return socket.localAddress().port();
  }

  /** {@code host:port} of the bound socket, with brackets for IPv6. */
  String target(String host) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
  }

  static Future<TestUdpServer> start(Vertx vertx, String host, Function<Buffer, Buffer> responder,
      Consumer<DatagramPacket> onReceive) {
    DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions()
        .setReuseAddress(false).setIpV6(host.indexOf(':') >= 0).setReceiveBufferSize(65536));
    socket.handler(packet -> {
      onReceive.accept(packet);
      Buffer reply = responder.apply(packet.data());
      if (reply != null) {
        socket.send(reply, packet.sender().port(), packet.sender().hostAddress());
      }
    });
    return socket.listen(0, host).map(TestUdpServer::new);
  }

  static Function<Buffer, Buffer> echo() {
    return data -> data;
  }

  static Function<Buffer, Buffer> uppercase() {
    return data -> Buffer.buffer(data.toString(StandardCharsets.UTF_8).toUpperCase(Locale.ROOT),
        "UTF-8");
  }

  static Function<Buffer, Buffer> greeting(String text) {
    return data -> Buffer.buffer(text, "UTF-8");
  }

  static Function<Buffer, Buffer> silent() {
    return data -> null;
  }

  /** Drops the first copy of each distinct message and echoes the later ones: exercises retries. */
  static Function<Buffer, Buffer> dropFirstCopy() {
    Set<String> seen = new HashSet<>();
    return data -> seen.add(data.toString(StandardCharsets.UTF_8)) ? null : data;
  }
}
