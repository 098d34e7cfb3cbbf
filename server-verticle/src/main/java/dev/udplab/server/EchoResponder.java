package dev.udplab.server;

/** Sends every datagram back unchanged, whatever its bytes (RFC 862). */
public final class EchoResponder implements Responder {
  @Override
  public byte[] reply(byte[] request) {
    return request;
  }
}
