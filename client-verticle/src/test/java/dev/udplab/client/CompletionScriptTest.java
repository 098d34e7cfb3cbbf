package dev.udplab.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.CompletionScript;
import dev.udplab.common.testing.BashCompletion;
import dev.udplab.server.ServerMain;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The completion scripts the build writes for both jars (target/udp-client_completion here, and the server
 * module's target/udp-server_completion, which the reactor built first), asked by a real bash.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class CompletionScriptTest {

  private static final Path SCRIPT = Path.of("target", "udp-client_completion");
  private static final Path SERVER_SCRIPT = Path.of("..", "server-verticle", "target", "udp-server_completion");

  @Test
  void the_build_wrote_the_script_of_the_current_command_line() throws Exception {
    assertTrue(Files.isRegularFile(SCRIPT), "the build writes " + SCRIPT.toAbsolutePath());
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    String script = Files.readString(SCRIPT);
    assertEquals(CompletionScript.of(ClientMain.commandLine(InputStream.nullInputStream(), discard, discard)), script,
        "made from this command line");
    for (String word : new String[] {"send", "flood", "demo", "--rcvbuf", "--json-stream", "--sweep-rcvbuf",
        "bashcompinit"}) {
      assertTrue(script.contains(word), word);
    }
  }

  @Test
  void bash_completes_subcommands_options_and_their_values() throws Exception {
    assertEquals(List.of("flood"), BashCompletion.candidates(SCRIPT, "udp-client", "fl"));
    assertEquals(List.of("send", "flood", "demo"), BashCompletion.candidates(SCRIPT, "udp-client", ""));
    assertEquals(List.of("--json", "--json-stream"), BashCompletion.candidates(SCRIPT, "udp-client", "flood",
        "--json"));
    assertEquals(List.of("--rcvbuf"), BashCompletion.candidates(SCRIPT, "udp-client", "flood", "--rcv"));
    assertEquals(List.of("auto", "sequenced", "counted", "none"), BashCompletion.candidates(SCRIPT, "udp-client",
        "flood", "--expect", ""));
    assertTrue(BashCompletion.candidates(SCRIPT, "udp-client", "send", "--").contains("--timeout"));
  }

  @Test
  void the_servers_script_is_its_command_lines_too() throws Exception {
    assertTrue(Files.isRegularFile(SERVER_SCRIPT), "the server's build writes " + SERVER_SCRIPT.toAbsolutePath());
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    assertEquals(CompletionScript.of(ServerMain.commandLine(new ServerMain(), discard, discard)),
        Files.readString(SERVER_SCRIPT), "made from the server's command line");
    assertEquals(List.of("echo"), BashCompletion.candidates(SERVER_SCRIPT, "udp-server", "ec"));
    assertEquals(List.of("--rcvbuf"), BashCompletion.candidates(SERVER_SCRIPT, "udp-server", "echo", "--rcv"));
    assertTrue(BashCompletion.candidates(SERVER_SCRIPT, "udp-server", "echo", "--").contains("--metrics-port"));
  }
}
