package dev.udplab.server;

/** Never answers: the one-way lab's server, which only prints and counts. */
public final class SinkResponder implements Responder {
  @Override
  public byte[] reply(byte[] request) {
    return null;
  }
}
