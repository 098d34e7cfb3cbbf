package dev.udplab.common.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * The shell completion script of a jar's command line, as picocli's {@link AutoComplete} writes it: a bash script
 * that zsh also runs (it loads {@code bashcompinit} itself). The build writes each jar's to
 * {@code target/NAME_completion} (exec-maven-plugin, after compiling), so the script always matches the options.
 */
public final class CompletionScript {

  private CompletionScript() {
  }

  /** The script completing the command {@code commandLine} is named after, its subcommands and options. */
  public static String of(CommandLine commandLine) {
    return AutoComplete.bash(commandLine.getCommandName(), commandLine);
  }

  /** Writes {@link #of} to {@code file}, creating its folder. */
  public static void write(CommandLine commandLine, Path file) throws IOException {
    Path folder = file.toAbsolutePath().getParent();
    if (folder != null) {
      Files.createDirectories(folder);
    }
    Files.writeString(file, of(commandLine));
  }
}
