package dev.udplab.common.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The one command-line grammar of both jars, applied to a picocli command and all its subcommands: case-insensitive
 * enum values named in lower case, numbers, sizes and ports refused in the user's terms, {@code --help} and
 * {@code --version} on every command, options listed in declaration order, and one shape for every usage error:
 * <pre>udp-client flood: PROBLEM (usage: udp-client flood [OPTIONS]; --help lists the options)</pre>
 * on one line of stderr, exit code {@link ExitCodes#USAGE}. A {@link CommandException} prints
 * {@code NAME: MESSAGE} and exits with its code; anything else is our bug: a stack trace and exit 4.
 */
public final class CommandLines {

  private CommandLines() {
  }

  /**
   * A command line for {@code command} (annotated with picocli's {@code @Command}, subcommands included) writing to
   * {@code out} and {@code err} in UTF-8.
   */
  public static CommandLine create(Object command, PrintStream out, PrintStream err) {
    CommandLine commandLine = new CommandLine(command)
        .setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true))
        .setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setUsageHelpAutoWidth(true)
        .setParameterExceptionHandler(CommandLines::usageError)
        .setExecutionExceptionHandler(CommandLines::executionError);
    commandLine.registerConverter(Integer.class, new Converters.WholeInt());
    commandLine.registerConverter(int.class, new Converters.WholeInt());
    commandLine.registerConverter(Long.class, new Converters.WholeLong());
    commandLine.registerConverter(long.class, new Converters.WholeLong());
    commandLine.registerConverter(Double.class, new Converters.Decimal());
    commandLine.registerConverter(double.class, new Converters.Decimal());
    Set<Class<?>> enums = new LinkedHashSet<>();
    collectEnums(commandLine, enums);
    for (Class<?> type : enums) {
      registerEnum(commandLine, type);
    }
    String version = versionOf(command.getClass());
    applyStyle(commandLine, commandLine.getCommandName() + " " + version);
    return commandLine;
  }

  /** The jar's version from its manifest ({@code Implementation-Version}), or {@code dev} when run from classes. */
  public static String versionOf(Class<?> type) {
    String version = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** The one usage-error line, as {@link #create} prints it; returns {@link ExitCodes#USAGE}. */
  public static int usageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    command.getErr().println(usageLine(command, e.getMessage()));
    command.getErr().flush();
    return ExitCodes.USAGE;
  }

  /** {@code NAME: PROBLEM (usage: SYNOPSIS; --help lists the options)}. */
  public static String usageLine(CommandLine command, String problem) {
    String name = command.getCommandSpec().qualifiedName();
    String synopsis = command.getHelp().abbreviatedSynopsis().trim();
    return name + ": " + problem + " (usage: " + synopsis + "; --help lists the options)";
  }

  private static int executionError(Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
    if (e instanceof CommandException) {
      command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
      command.getErr().flush();
      return ((CommandException) e).exitCode();
    }
    if (e instanceof ParameterException) {
      return usageError((ParameterException) e, new String[0]);
    }
    // Not the user's doing: the stack trace is for us.
    e.printStackTrace(command.getErr());
    command.getErr().flush();
    return ExitCodes.ENVIRONMENT;
  }

  private static void applyStyle(CommandLine commandLine, String version) {
    CommandSpec spec = commandLine.getCommandSpec();
    spec.mixinStandardHelpOptions(true);
    spec.version(version);
    spec.usageMessage().sortOptions(false).sortSynopsis(false).abbreviateSynopsis(true);
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      applyStyle(sub, version);
    }
  }

  private static void collectEnums(CommandLine commandLine, Set<Class<?>> enums) {
    for (ArgSpec arg : commandLine.getCommandSpec().args()) {
      for (Class<?> type : arg.auxiliaryTypes()) {
        if (type.isEnum()) {
          enums.add(type);
        }
      }
      if (arg.type().isEnum()) {
        enums.add(arg.type());
      }
    }
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      collectEnums(sub, enums);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void registerEnum(CommandLine commandLine, Class<?> type) {
    commandLine.registerConverter((Class) type, new Converters.EnumValue(type));
  }
}
