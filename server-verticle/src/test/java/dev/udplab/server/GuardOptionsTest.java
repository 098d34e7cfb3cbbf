package dev.udplab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The guard flags on the command line and in {@link ServerOptions}. */
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
    assertEquals(ServerMain.EXIT_USAGE, parsed.exitCode(), err);
    assertNull(parsed.options());
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("udp-server: "), err);
  }

  @Test
  void guard_flags_become_options() {
    ServerMain.Parsed parsed = parse("greeting --host 0.0.0.0 --guards on --rate-limit 50 --burst 7 "
        + "--max-sources 100 --allow-amplification");
    ServerOptions options = parsed.options();
    assertEquals(GuardSettings.Mode.ON, options.getGuards());
    assertEquals(50, options.getRateLimit());
    assertEquals(7, options.getBurst());
    assertEquals(100, options.getMaxSources());
    assertTrue(options.isAllowAmplification());
    assertEquals(options.toJson(), new ServerOptions(options.toJson()).toJson(), "JSON round trip");
    assertEquals(options.toJson(), new ServerOptions(options).toJson(), "copy");
  }

  @Test
  void defaults_leave_the_choice_to_the_bind_address() {
    ServerOptions options = parse("echo").options();
    assertEquals(GuardSettings.Mode.AUTO, options.getGuards());
    assertEquals(ServerOptions.DEFAULT_RATE_LIMIT, options.getRateLimit());
    assertEquals(ServerOptions.DEFAULT_BURST, options.getBurst());
    assertEquals(GuardSettings.DEFAULT_MAX_SOURCES, options.getMaxSources());
    assertFalse(options.isAllowAmplification());
    assertEquals(0, parse("echo --rate-limit 0").options().getRateLimit(), "0 turns it off");
    ServerOptions fromJson = new ServerOptions(new JsonObject().put("guards", "off").put("rateLimit", 9));
    assertEquals(GuardSettings.Mode.OFF, fromJson.getGuards());
    assertEquals(9, fromJson.getRateLimit());
  }
}
