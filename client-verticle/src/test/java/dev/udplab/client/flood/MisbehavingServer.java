package dev.udplab.client.flood;

import dev.udplab.common.net.DatagramChannels;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * Test-only echo server that misbehaves on a known pattern of sequence numbers: drops, duplicates,
 * holds back one datagram until the next one has been answered (a reorder), delays chosen replies, or
 * answers like a greeting server / not at all like a sink.
 */
public final class MisbehavingServer extends VerticleBase {

  private final int port;
  private LongPredicate drop = s -> false;
  private LongPredicate duplicate = s -> false;
  private LongPredicate holdBack = s -> false;
  private final Map<Long, Long> delayMillis = new HashMap<>();
  private Buffer fixedReply;
  private boolean silent;
  private LongConsumer onReceived = n -> { };
  private DatagramSocket socket;
  private DatagramPacket held;
  private long received;
  private final Map<Integer, Long> perSenderPort = new HashMap<>();
  private final Map<Integer, Long> perSize = new HashMap<>();

  public MisbehavingServer(int port) {
    this.port = port;
  }

  public MisbehavingServer drop(LongPredicate p) {
    drop = p;
    return this;
  }

  public MisbehavingServer duplicate(LongPredicate p) {
    duplicate = p;
    return this;
  }

  public MisbehavingServer holdBack(LongPredicate p) {
    holdBack = p;
    return this;
  }

  public MisbehavingServer delay(long sequence, long millis) {
    delayMillis.put(sequence, millis);
    return this;
  }

  public MisbehavingServer greeting(String text) {
    fixedReply = Buffer.buffer(text.getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  public MisbehavingServer sink() {
    silent = true;
    return this;
  }

  public MisbehavingServer onReceived(LongConsumer c) {
    onReceived = c;
    return this;
  }

  @Override
  public Future<?> start() {
    // a large buffer: a test flood fits in it whole, so the kernel never drops and the pattern is exact
    socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(false)
        .setReceiveBufferSize(1 << 20).setSendBufferSize(1 << 20));
    // Vert.x alone reads one datagram per wakeup, and at load the socket overflowed (a flaky FloodGsoTest)
    DatagramChannels.readWholeDatagramsInBatches(DatagramChannels.channelOf(socket));
    socket.handler(this::onPacket);
    return socket.listen(port, "127.0.0.1");
  }

  public int port() {
    return socket.localAddress().port();
  }

  /** Datagrams received per source port. */
  public Map<Integer, Long> perSenderPort() {
    return perSenderPort;
  }

  /** Datagrams received per size in bytes. */
  public Map<Integer, Long> perSize() {
    return perSize;
  }

  public long received() {
    return received;
  }

  private void onPacket(DatagramPacket packet) {
    received++;
    perSenderPort.merge(packet.sender().port(), 1L, Long::sum);
    perSize.merge(packet.data().length(), 1L, Long::sum);
    onReceived.accept(received);
    if (silent) {
      return;
    }
    if (fixedReply != null) {
      byte[] header = packet.data().getBytes(0, Math.min(packet.data().length(), FloodPayload.HEADER_BYTES));
      long s = FloodPayload.decodeSequence(header, header.length);
      if (!drop.test(s)) {
        send(fixedReply, packet.sender());
      }
      return;
    }
    Buffer data = packet.data();
    byte[] header = data.getBytes(0, Math.min(data.length(), FloodPayload.HEADER_BYTES));
    long s = FloodPayload.decodeSequence(header, header.length);
    DatagramPacket release = held;
    held = null;
    if (!drop.test(s)) {
      if (holdBack.test(s)) {
        held = packet;
      } else if (delayMillis.containsKey(s)) {
        vertx.setTimer(delayMillis.get(s), id -> echo(packet, s));
      } else {
        echo(packet, s);
      }
    }
    if (release != null) {
      byte[] h = release.data().getBytes(0, FloodPayload.HEADER_BYTES);
      echo(release, FloodPayload.decodeSequence(h, h.length));
    }
  }

  private void echo(DatagramPacket packet, long s) {
    send(packet.data(), packet.sender());
    if (duplicate.test(s)) {
      send(packet.data(), packet.sender());
    }
  }

  private void send(Buffer data, SocketAddress to) {
    socket.send(data, to.port(), to.hostAddress());
  }

  @Override
  public Future<?> stop() {
    return socket.close();
  }
}
