package dev.udplab.server;

import dev.udplab.common.cli.CompletionScript;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/** Writes udp-server's completion script to the file named by the one argument; the build runs it. */
public final class ServerCompletion {

  private ServerCompletion() {
  }

  public static void main(String[] args) throws IOException {
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    CompletionScript.write(ServerMain.commandLine(new ServerMain(), discard, discard), Path.of(args[0]));
  }
}
