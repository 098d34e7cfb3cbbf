package dev.udplab.server;

public final class ServerMain {
  public static void main(String[] args) {
    System.out.println(io.vertx.core.Vertx.class.getName());
  }
}
