package dev.udplab.common.runtime;

import dev.udplab.common.net.SocketAddresses;
import java.net.BindException;
import java.net.UnknownHostException;

/** Turns a failed bind into the one line a user can act on: which port or address, why, and what to do. */
public final class BindFailures {

  private BindFailures() {
  }

  /**
   * @param kind   what was bound, e.g. {@code "UDP port"} or {@code "metrics port (TCP)"}
   * @param advice what to do when the port is taken, e.g. {@code "choose another --port"}
   */
  public static String describe(String kind, String host, int port, Throwable failure, String advice) {
    String where = SocketAddresses.format(host, port);
    String message = String.valueOf(failure.getMessage());
    if (failure instanceof UnknownHostException || message.contains("resolve")) {
      return "cannot resolve " + host + ": give an IP address such as 127.0.0.1 or 0.0.0.0";
    }
    if (message.contains("Address already in use") || message.contains("(-98)")) {
      return kind + " " + where + " is already in use: " + advice;
    }
    if (message.contains("Cannot assign requested address") || message.contains("(-99)")) {
      return "cannot bind " + where + ": " + host + " is not an address of this machine; use 127.0.0.1, 0.0.0.0 "
          + "or one of its interface addresses";
    }
    if (message.contains("Permission denied") || message.contains("(-13)")) {
      return "cannot bind " + kind + " " + where + ": permission denied (ports below 1024 need privileges); choose a "
          + "port from 1024 up";
    }
    if (message.contains("Address family not supported") || message.contains("(-97)")) {
      return "cannot bind " + kind + " " + where + ": this machine has no " + (host.contains(":") ? "IPv6" : "IPv4");
    }
    if (failure instanceof BindException) {
      return "cannot bind " + kind + " " + where + ": " + message + "; " + advice;
    }
    return "cannot bind " + kind + " " + where + ": " + message + "; " + advice;
  }
}
