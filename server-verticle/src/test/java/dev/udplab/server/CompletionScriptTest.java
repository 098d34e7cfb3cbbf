package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.CompletionScript;
import dev.udplab.common.testing.BashCompletion;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The completion script the build writes to target/udp-server_completion, asked by a real bash. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class CompletionScriptTest {

  private static final Path SCRIPT = Path.of("target", "udp-server_completion");

  @Test
  void the_build_wrote_the_script_of_the_current_command_line() throws Exception {
    assertTrue(Files.isRegularFile(SCRIPT), "the build writes " + SCRIPT.toAbsolutePath());
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    assertEquals(CompletionScript.of(ServerMain.commandLine(new ServerMain(), discard, discard)),
        Files.readString(SCRIPT), "made from this command line");
  }

  @Test
  void bash_completes_modes_and_options() throws Exception {
    assertEquals(List.of("echo"), BashCompletion.candidates(SCRIPT, "udp-server", "ec"));
    assertEquals(List.of("--rcvbuf"), BashCompletion.candidates(SCRIPT, "udp-server", "echo", "--rcv"));
    assertTrue(BashCompletion.candidates(SCRIPT, "udp-server", "echo", "--").contains("--metrics-port"));
  }
}
