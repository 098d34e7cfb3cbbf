package dev.udplab.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.udplab.common.cli.CommandException;
import dev.udplab.common.cli.ExitCodes;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class ClientSocketsTest {

  @Test
  void a_socket_that_cannot_bind_fails_with_exit_4_and_names_the_address(Vertx vertx, VertxTestContext ctx) {
    // an IPv4 socket asked to bind an IPv6 address: the kernel refuses, as it would a missing ::1
    HostPort v4 = HostPort.parse("127.0.0.1:9");
    DatagramSocket socket = ClientSockets.create(vertx, SocketBuffers.KERNEL_DEFAULTS, v4);
    ClientSockets.listen(socket, HostPort.parse("[::1]:9")).onComplete(ctx.failing(e -> ctx.verify(() -> {
      CommandException failure = assertInstanceOf(CommandException.class, e);
      assertEquals(ExitCodes.ENVIRONMENT, failure.exitCode());
      assertEquals(1, failure.getMessage().lines().count(), failure.getMessage());
      assertEquals(0, failure.getMessage().indexOf("cannot bind a UDP socket on ::1 for target [::1]:9: "),
          failure.getMessage());
      ctx.completeNow();
    })));
  }
}
