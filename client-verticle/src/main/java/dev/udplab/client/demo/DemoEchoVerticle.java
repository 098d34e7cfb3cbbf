package dev.udplab.client.demo;

import dev.udplab.common.net.DatagramChannels;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

/**
 * The echo server {@code demo} starts in its own process: one socket on 127.0.0.1, a free port, the
 * kernel's default buffers, every datagram sent back as it came. A stand-in until {@code demo} runs the server
 * module's own echo verticle.
 */
public final class DemoEchoVerticle extends VerticleBase {

  private DatagramSocket socket;

  @Override
  public Future<?> start() {
    socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(false));
    DatagramChannels.readWholeDatagramsInBatches(DatagramChannels.channelOf(socket));
    socket.handler(packet -> {
      socket.send(packet.data(), packet.sender().port(), packet.sender().hostAddress());
    });
    return socket.listen(0, "127.0.0.1");
  }

  /** The bound port. */
  public int port() {
    return socket.localAddress().port();
  }

  @Override
  public Future<?> stop() {
    return socket.close();
  }
}
