package dev.udplab.client.report;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;

/**
 * Where {@code flood --json-stream} writes, iperf3 3.17's convention: one JSON object per line, each flushed at once so
 * that a reader sees it as the run goes ({@code start}, each {@code interval}, {@code end}; {@link JsonReport} builds
 * them). Lines come from the main thread and the flood's event loop, never at once, but one lock keeps them whole.
 */
public final class JsonStream {

  private final PrintWriter out;

  public JsonStream(PrintWriter out) {
    this.out = out;
  }

  /** Writes {@code line} as one line and flushes it. */
  public synchronized void write(JsonObject line) {
    out.println(line.encode());
    out.flush();
  }
}
