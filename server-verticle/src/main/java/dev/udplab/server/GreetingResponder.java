package dev.udplab.server;

import java.nio.charset.StandardCharsets;

/** Answers every datagram with the same greeting text, UTF-8 encoded. */
public final class GreetingResponder implements Responder {
  private final byte[] greeting;

  public GreetingResponder(String greeting) {
    this.greeting = greeting.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] reply(byte[] request) {
    return greeting;
  }
}
