package dev.udplab.server;

/**
 * The decision between building a reply and sending it: answer, or drop for a reason.
 * Runs on the event loop for every datagram that has a reply, so it must not block, allocate or log.
 * A policy belongs to one verticle instance; a policy shared by several instances must be thread-safe.
 */
@FunctionalInterface
public interface ReplyPolicy {

  /** A policy that answers everything. */
  ReplyPolicy ANSWER_ALL = (host, port, requestBytes, replyBytes, nowNanos) -> null;

  /**
   * @param senderHost the sender's IP address as text
   * @param senderPort the sender's UDP port
   * @param requestBytes the request's size
   * @param replyBytes the size of the reply that would be sent
   * @param nowNanos {@link System#nanoTime()} at receipt
   * @return {@code null} to send the reply, or why it is dropped
   */
  DropReason decide(String senderHost, int senderPort, int requestBytes, int replyBytes, long nowNanos);

  /** This policy, then {@code next} for datagrams this one lets through. */
  default ReplyPolicy andThen(ReplyPolicy next) {
    return (host, port, requestBytes, replyBytes, nowNanos) -> {
      DropReason reason = decide(host, port, requestBytes, replyBytes, nowNanos);
      return reason != null ? reason : next.decide(host, port, requestBytes, replyBytes, nowNanos);
    };
  }

  /** The policy a server socket with these options applies; one new policy per call. */
  static ReplyPolicy forOptions(ServerOptions options) {
    return ReplyGuard.forOptions(options);
  }
}
