package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.ExitCodes;
import dev.udplab.common.runtime.TransportChoice;
import dev.udplab.server.guard.GuardPolicy;
import dev.udplab.server.mode.ServerMode;
import dev.udplab.server.socket.SocketSettings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ServerConfig}: the defaults, and its one validation path, as the command line reaches it. */
class ServerConfigTest {

  /** The config of a command line, which must be valid; one argument is split at spaces. */
  static ServerConfig config(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ServerMain.Parsed parsed = ServerMain.parse(args.length == 1 ? args[0].split(" ") : args,
        new PrintStream(OutputStream.nullOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(ExitCodes.OK, parsed.exitCode(), err.toString(StandardCharsets.UTF_8));
    return parsed.config();
  }

  /** The usage-error line of {@code commandLine}, which must be refused. */
  private static String problem(String commandLine) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ServerMain.Parsed parsed = ServerMain.parse(commandLine.split(" "), new PrintStream(OutputStream.nullOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(ExitCodes.USAGE, parsed.exitCode(), commandLine);
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void defaults_match_the_contract() {
    ServerConfig config = config("echo");
    assertEquals(ServerMode.ECHO, config.mode());
    assertEquals("127.0.0.1", config.host());
    assertEquals(20001, config.portOf(ServerMode.ECHO));
    assertEquals(12000, config.portOf(ServerMode.UPPERCASE));
    assertEquals(20000, config.portOf(ServerMode.GREETING));
    assertEquals(5005, config.portOf(ServerMode.SINK));
    assertEquals("Hello UDP Client", config.message());
    assertEquals(9101, config.metricsPort());
    assertEquals(1, config.instances());
    assertEquals(TransportChoice.AUTO, config.transport());
    assertNull(config.receiveBufferBytes());
    assertNull(config.port(), "each mode's own port");
  }

  @Test
  void a_greeting_longer_than_a_datagram_is_refused_at_start() {
    String fits = "g".repeat(65_505) + "ß"; // 65507 bytes
    assertEquals(fits, config("greeting", "--message", fits).message());
    String tooLong = "g".repeat(65_506) + "ß"; // 65508 bytes
    for (String mode : new String[] {"greeting", "all"}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ServerMain.Parsed parsed = ServerMain.parse(new String[] {mode, "--message", tooLong},
          new PrintStream(OutputStream.nullOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(ExitCodes.USAGE, parsed.exitCode(), mode);
      assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("udp-server: --message is 65508 bytes in UTF-8; a "
          + "greeting must fit one datagram, at most 65507 bytes (usage: "), err.toString(StandardCharsets.UTF_8));
    }
    assertEquals(tooLong, config("echo", "--message", tooLong).message(), "echo never sends it");
  }

  @Test
  void each_socket_of_all_gets_its_mode_and_port() {
    ServerConfig all = config("all --port 0 --rcvbuf 4M");
    assertEquals(new SocketSettings(ServerMode.GREETING, "127.0.0.1", 0, 4 << 20, null, false, false, "Hello UDP Client"),
        all.socket(ServerMode.GREETING));
    assertTrue(config("all --instances 2").socket(ServerMode.ECHO).reusePort());
    assertEquals(20000, config("all --quiet").socket(ServerMode.GREETING).port());
    assertTrue(config("all --quiet").socket(ServerMode.SINK).quiet());
    assertFalse(config("echo").socket(ServerMode.ECHO).reusePort());
    assertThrows(IllegalArgumentException.class, () -> all.socket(ServerMode.ALL));
  }

  @Test
  void validation_names_the_bad_option() {
    assertTrue(problem("echo --instances 0").contains("--instances 0 is out of range 1..256"));
    assertTrue(problem("echo --instances 2 --port 0").contains("--instances 2 needs a fixed --port"));
    assertTrue(problem("echo --instances 2 --transport nio").contains("--instances 2 needs SO_REUSEPORT"));
    assertTrue(problem("all --port 7").contains("--port 7 cannot be used with mode all"));
    assertTrue(problem("echo --host  ").contains("--host"));
    assertTrue(problem("echo --rate-limit -1").contains("--rate-limit -1 is out of range 0..100000000"));
    assertTrue(problem("echo --burst 0").contains("--burst 0 is out of range 1..1000000000"));
    assertTrue(problem("echo --max-sources 1048577").contains("--max-sources 1048577 is out of range 1..1048576"));
  }

  @Test
  void the_record_checks_what_the_command_line_converters_would_have_refused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ServerConfig(ServerMode.ECHO,
        "127.0.0.1", 65536, "hi", null, null, 9101, null, 1, TransportChoice.AUTO, false, GuardPolicy.AUTO, null, null,
        65536, false));
    assertEquals("--port 65536 is out of range 0..65535", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ServerConfig(ServerMode.ECHO, "127.0.0.1", null, "hi",
        null, null, 70000, null, 1, TransportChoice.AUTO, false, GuardPolicy.AUTO, null, null, 65536, false));
    assertTrue(e.getMessage().startsWith("--metrics-port 70000"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ServerConfig(ServerMode.ECHO, " ", null, "hi",
        null, null, 9101, null, 1, TransportChoice.AUTO, false, GuardPolicy.AUTO, null, null, 65536, false));
    assertEquals("--host must not be empty", e.getMessage());
  }

  @Test
  void validation_accepts_the_edges() {
    config("echo --port 0");
    config("echo --port 65535 --rcvbuf 1 --sndbuf 1G --metrics-port 0");
    config("all --port 0");
    config("all --instances 2");
    config("echo --instances 256 --port 20001");
  }
}
