package dev.udplab.common.runtime;

import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Loads, at start, everything the process needs to write a log record later. The JDK loads it on the first record:
 * {@code conf/logging.properties}, the console handler and, to format the record's date, the time-zone database
 * ({@code lib/tzdb.dat}). If that first record comes while every descriptor is taken (Netty's "too many open files"
 * warning from the acceptor, say), the database fails to load, for good: the error killed the acceptor thread, an
 * event loop and later the SIGTERM handler, and the process needed SIGKILL.
 */
public final class LoggingClasses {

  private LoggingClasses() {
  }

  /** Initialises JUL (configuration, root handlers, formatter, time zone), Netty's and Vert.x's loggers; idempotent. */
  public static void loadNow() {
    LogManager.getLogManager();
    Logger.getLogger("").getHandlers();
    new SimpleFormatter().format(new LogRecord(Level.INFO, "loaded at start"));
    InternalLoggerFactory.getInstance(LoggingClasses.class);
    io.vertx.core.internal.logging.LoggerFactory.getLogger(LoggingClasses.class);
  }
}
