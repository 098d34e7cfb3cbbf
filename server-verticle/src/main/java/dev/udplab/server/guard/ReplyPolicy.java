package dev.udplab.server.guard;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * The decision between building a reply and sending it: answer, or drop for a reason.
 * Runs on the event loop for every datagram that has a reply, so it must not block, allocate or log.
 * A policy shared by several sockets (their event loops) must be thread-safe.
 */
@FunctionalInterface
public interface ReplyPolicy {

  /** A policy that answers everything. */
  ReplyPolicy ANSWER_ALL = (sender, request, replyBytes, nowNanos) -> null;

  /**
   * @param sender     the datagram's source, as the socket read it (a resolved address)
   * @param request    the datagram's bytes, to be read without moving its indices, neither kept nor released
   * @param replyBytes the size of the reply that would be sent
   * @param nowNanos   {@link System#nanoTime()} at receipt
   * @return {@code null} to send the reply, or why it is dropped
   */
  DropReason decide(InetSocketAddress sender, ByteBuf request, int replyBytes, long nowNanos);
}
