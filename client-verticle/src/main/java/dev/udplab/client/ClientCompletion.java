package dev.udplab.client;

import dev.udplab.common.cli.CompletionScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/** Writes udp-client's completion script to the file named by the one argument; the build runs it. */
public final class ClientCompletion {

  private ClientCompletion() {
  }

  public static void main(String[] args) throws IOException {
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
    CompletionScript.write(ClientMain.commandLine(InputStream.nullInputStream(), discard, discard), Path.of(args[0]));
  }
}
