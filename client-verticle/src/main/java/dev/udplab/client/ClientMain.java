package dev.udplab.client;

public final class ClientMain {
  public static void main(String[] args) {
    System.out.println(io.vertx.core.Vertx.class.getName());
  }
}
