package dev.udplab.client.send;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Request/reply bookkeeping of {@code send}, without I/O: which requests are outstanding per target, which
 * reply matches which request, and what a timeout means (retry or give up).
 *
 * <p>Each target has its own socket, so a reply is already known to come from its target; like a
 * connect()ed socket it carries no request id, and it matches the oldest outstanding request to that target.
 */
final class ReplyTracker {

  /** What a timer firing for a request means. */
  enum Expiry {
    /** Send the request again (it has attempts left). */
    RETRY,
    /** The last attempt timed out: the request is missing. */
    GIVE_UP,
    /** The request was answered or given up already, or a later attempt is running: nothing to do. */
    STALE
  }

  /** One request to one target, with all its attempts. */
  static final class Request {
    final int target;
    final String message;
    private int attempts;
    private long lastSentNanos;
    private boolean finished;
    /** The timer of the running attempt, owned by the caller. */
    long timerId = -1;

    private Request(int target, String message) {
      this.target = target;
      this.message = message;
    }

    int attempts() {
      return attempts;
    }

    long lastSentNanos() {
      return lastSentNanos;
    }

    boolean finished() {
      return finished;
    }
  }

  private final ArrayDeque<Request>[] outstanding;
  private final int maxAttempts;
  private final List<Request> missing = new ArrayList<>();
  private int outstandingCount;

  @SuppressWarnings("unchecked")
  ReplyTracker(int targetCount, int retries) {
    if (targetCount < 1 || retries < 0) {
      throw new IllegalArgumentException("targets " + targetCount + ", retries " + retries);
    }
    this.outstanding = new ArrayDeque[targetCount];
    for (int i = 0; i < targetCount; i++) {
      outstanding[i] = new ArrayDeque<>();
    }
    this.maxAttempts = retries + 1;
  }

  /** Registers a request that expects one reply from {@code target}; call {@link #sent} for each attempt. */
  Request expect(int target, String message) {
    Request request = new Request(target, message);
    outstanding[target].addLast(request);
    outstandingCount++;
    return request;
  }

  /** Records that an attempt of {@code request} is being sent; returns the attempt number (1 for the first). */
  int sent(Request request, long nowNanos) {
    request.lastSentNanos = nowNanos;
    return ++request.attempts;
  }

  /**
   * The kernel accepted attempt {@code attempt}: its round trip and timeout count from now, not from the send
   * call (the first send of a process spends hundreds of milliseconds setting up Vert.x's resolver). Returns
   * false when the request needs no timer any more (already answered, given up, or a later attempt runs).
   */
  boolean accepted(Request request, int attempt, long nowNanos) {
    if (request.finished || attempt != request.attempts) {
      return false;
    }
    request.lastSentNanos = nowNanos;
    return true;
  }

  /**
   * A datagram from {@code target}'s address arrived: returns the oldest outstanding request it answers, now
   * finished, or null when nothing is outstanding (an unexpected datagram).
   */
  Request reply(int target) {
    Request request = outstanding[target].pollFirst();
    if (request != null) {
      request.finished = true;
      outstandingCount--;
    }
    return request;
  }

  /** The timer of attempt {@code attempt} of {@code request} fired. */
  Expiry expire(Request request, int attempt) {
    if (request.finished || attempt != request.attempts) {
      return Expiry.STALE;
    }
    if (request.attempts < maxAttempts) {
      return Expiry.RETRY;
    }
    abandon(request);
    return Expiry.GIVE_UP;
  }

  /** Gives a request up now (for example when the kernel refused to send it): it counts as missing. */
  void abandon(Request request) {
    if (request.finished) {
      return;
    }
    request.finished = true;
    outstanding[request.target].remove(request);
    outstandingCount--;
    missing.add(request);
  }

  /** Requests outstanding over all targets. */
  int outstanding() {
    return outstandingCount;
  }

  /** Requests given up so far, in the order they were given up. */
  List<Request> missing() {
    return Collections.unmodifiableList(missing);
  }
}
