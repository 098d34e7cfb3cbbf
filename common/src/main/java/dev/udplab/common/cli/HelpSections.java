package dev.udplab.common.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The options of a command's {@code --help} under headings ("Sockets", "Metrics", ...), in the order each section
 * lists them; options in no section (help, version) follow untitled at the end. A command declares its sections
 * by implementing {@link Sectioned}; {@link #applyAll} installs them on a command line and its subcommands.
 *
 * <p>Why not picocli's {@code @ArgGroup(validate = false, heading = ...)}: a group cannot hold a {@code @Mixin}
 * ({@link SocketBufferOptions}, {@link MetricsOptions}: "@Mixins are not supported on @ArgGroups"), and picocli
 * creates a new group object when one of its options is given, which drops every default set in a constructor
 * ({@code new MetricsOptions(9102)} became port 0 once {@code --metrics-host} alone was given). Here the options stay
 * on the command and only the help is laid out in sections.
 */
public final class HelpSections {

  /** One heading and the options under it, by their longest name ({@code --rcvbuf}). */
  public record Section(String heading, List<String> options) {
    public Section {
      options = List.copyOf(options);
    }
  }

  /** A command whose {@code --help} lists its options in sections. */
  public interface Sectioned {
    List<Section> helpSections();
  }

  private HelpSections() {
  }

  /** A section: {@code section("Sockets", "--rcvbuf", "--sndbuf", "--sockets")}. */
  public static Section section(String heading, String... options) {
    return new Section(heading, List.of(options));
  }

  /** Installs the sections of every {@link Sectioned} command of {@code commandLine}, subcommands included. */
  public static void applyAll(CommandLine commandLine) {
    if (commandLine.getCommand() instanceof Sectioned) {
      apply(commandLine, ((Sectioned) commandLine.getCommand()).helpSections());
    }
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      applyAll(sub);
    }
  }

  /**
   * Lays out the option list of {@code commandLine} in {@code sections}.
   *
   * @throws IllegalStateException when a section names an option the command does not have, or names one twice
   */
  public static void apply(CommandLine commandLine, List<Section> sections) {
    Set<String> listed = new LinkedHashSet<>();
    for (Section section : sections) {
      for (String name : section.options()) {
        if (commandLine.getCommandSpec().findOption(name) == null || !listed.add(name)) {
          throw new IllegalStateException(commandLine.getCommandName() + " --help: section '" + section.heading()
              + "' names " + name + (listed.contains(name) ? " twice" : ", which the command does not have"));
        }
      }
    }
    List<Section> copy = List.copyOf(sections);
    commandLine.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> render(help, copy));
  }

  private static String render(Help help, List<Section> sections) {
    List<OptionSpec> visible = new ArrayList<>();
    for (OptionSpec option : help.commandSpec().options()) {
      if (!option.hidden()) {
        visible.add(option);
      }
    }
    StringBuilder text = new StringBuilder();
    List<OptionSpec> rest = new ArrayList<>(visible);
    for (Section section : sections) {
      List<OptionSpec> options = new ArrayList<>();
      for (String name : section.options()) {
        OptionSpec option = help.commandSpec().findOption(name);
        if (!option.hidden()) {
          options.add(option);
          rest.remove(option);
        }
      }
      text.append(help.createHeading(section.heading() + "%n")).append(table(help, visible, options));
    }
    return text.append(table(help, visible, rest)).toString();
  }

  /** {@code options} as rows whose columns are as wide as {@code all} needs, so every section lines up. */
  private static String table(Help help, List<OptionSpec> all, List<OptionSpec> options) {
    Help.Layout layout = help.createDefaultLayout(all, help.commandSpec().positionalParameters(), help.colorScheme());
    layout.addOptions(options, help.parameterLabelRenderer());
    return layout.toString();
  }
}
