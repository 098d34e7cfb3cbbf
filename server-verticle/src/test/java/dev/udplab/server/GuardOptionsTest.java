package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.udplab.common.cli.ExitCodes;
import dev.udplab.server.guard.GuardPolicy;
import dev.udplab.server.guard.GuardSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The guard flags on the command line and in {@link ServerConfig}. */
class GuardOptionsTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private ServerMain.Parsed parse(String commandLine) {
    return ServerMain.parse(commandLine.split(" "), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"echo --rate-limit -1", "echo --rate-limit fast", "echo --rate-limit 1.5",
      "echo --rate-limit 100000001", "echo --burst 0", "echo --burst -3", "echo --burst 1000000001",
      "echo --max-sources 0", "echo --max-sources 1048577", "echo --max-sources many", "echo --guards maybe",
      "echo --allow-amplification yes"})
  void bad_guard_values_print_one_line_and_exit_2(String commandLine) {
    ServerMain.Parsed parsed = parse(commandLine);
    String err = this.err.toString(StandardCharsets.UTF_8);
    assertEquals(ExitCodes.USAGE, parsed.exitCode(), err);
    assertNull(parsed.config());
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("udp-server: "), err);
    assertTrue(err.endsWith(ServerMainTest.USAGE + System.lineSeparator()), err);
  }

  @Test
  void bad_guard_values_are_named() {
    parse("echo --guards maybe");
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("'maybe' is not one of auto, on, off"), err.toString());
  }

  @Test
  void guard_flags_become_the_config() {
    ServerConfig config = parse("greeting --host 0.0.0.0 --guards on --rate-limit 50 --burst 7 "
        + "--max-sources 100 --allow-amplification").config();
    assertEquals(GuardPolicy.ON, config.guards());
    assertEquals(50, config.rateLimit());
    assertEquals(7, config.burst());
    assertEquals(100, config.maxSources());
    assertTrue(config.allowAmplification());
    assertEquals(new GuardSettings(50, 7, 100, false, true, true, true, false), config.guardSettings());
  }

  @Test
  void defaults_leave_the_choice_to_the_bind_address() {
    ServerConfig config = parse("echo").config();
    assertEquals(GuardPolicy.AUTO, config.guards());
    assertNull(config.rateLimit(), "chosen by the guards");
    assertNull(config.burst(), "two seconds of the rate");
    assertEquals(GuardSettings.DEFAULT_MAX_SOURCES, config.maxSources());
    assertFalse(config.allowAmplification());
    assertEquals(0, parse("echo --rate-limit 0").config().rateLimit(), "0 turns it off");
    ServerConfig off = parse("echo --guards off --rate-limit 9").config();
    assertEquals(GuardPolicy.OFF, off.guards());
    assertEquals(9, off.rateLimit());
  }
}
