package dev.udplab.common.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks a real bash what a completion script offers: sources the script, fills COMP_WORDS with the words typed (the
 * last one being completed) and calls the function the script registered for the command, as bash would on Tab.
 */
public final class BashCompletion {

  private BashCompletion() {
  }

  /** The candidates {@code script} offers for the last of {@code words} ({@code words[0]} is the command). */
  public static List<String> candidates(Path script, String... words) throws IOException, InterruptedException {
    StringBuilder array = new StringBuilder();
    for (String word : words) {
      array.append(" '").append(word.replace("'", "'\\''")).append('\'');
    }
    String program = "source \"$1\" || exit 9\n"
        + "COMP_WORDS=(" + array + ")\n"
        + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
        + "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
        // compopt complains outside a real completion; the candidates are what counts
        + "_complete_" + words[0] + " 2>/dev/null\n"
        + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Process bash = new ProcessBuilder("bash", "-c", program, "bash", script.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!bash.waitFor(10, TimeUnit.SECONDS) || bash.exitValue() != 0) {
      bash.destroyForcibly();
      throw new AssertionError("bash could not run " + script + ": " + out);
    }
    List<String> candidates = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        candidates.add(line.strip());
      }
    }
    return candidates;
  }
}
