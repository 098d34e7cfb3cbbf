package dev.udplab.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.udplab.common.testing.UdpPeers;
import io.netty.channel.socket.DatagramChannel;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class DatagramChannelsTest {

  @Test
  void a_small_rcvbuf_socket_still_reads_the_largest_datagram_whole_and_sends_an_empty_one(Vertx vertx,
      VertxTestContext test) throws Exception {
    DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(4096));
    DatagramChannel channel = DatagramChannels.channelOf(socket);
    DatagramChannels.readWholeDatagramsInBatches(channel);
    java.nio.channels.DatagramChannel peer = UdpPeers.socket("127.0.0.1");
    socket.handler(packet -> test.verify(() -> {
      assertEquals(Datagrams.MAX_PAYLOAD_BYTES, packet.data().length());
      InetSocketAddress sender = new InetSocketAddress(packet.sender().hostAddress(), packet.sender().port());
      channel.eventLoop().execute(() -> test.verify(() -> {
        DatagramChannels.sendEmpty(channel, sender);
        assertEquals(0, UdpPeers.receive(peer, 2000).data().length);
        peer.close();
        test.completeNow();
      }));
    }));
    socket.listen(0, "127.0.0.1").onComplete(test.succeeding(bound -> test.verify(() -> {
      assertNotNull(channel);
      assertEquals(8192, DatagramChannels.grantedReceiveBuffer(channel), "Linux doubles the 4096 asked for");
      UdpPeers.send(peer, new InetSocketAddress("127.0.0.1", bound.localAddress().port()),
          new byte[Datagrams.MAX_PAYLOAD_BYTES]);
    })));
  }
}
