package dev.udplab.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Options of the {@code send} command: where to send, how long to wait, how often to retry. */
public final class SendOptions {

  /** The default target, the lab's echo server. */
  public static final String DEFAULT_TARGET = "127.0.0.1:20001";
  /** How long each attempt waits for its reply by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  /** No retries by default: one attempt per request. */
  public static final int DEFAULT_RETRIES = 0;
  /** Replies are expected by default ({@code --no-reply} turns it off). */
  public static final boolean DEFAULT_EXPECT_REPLY = true;
  /**
   * SO_RCVBUF when none is given: room for one reply of up to 65507 bytes (and, should {@link DatagramReads}
   * ever fail, the size of Vert.x's own read buffer, which it takes from SO_RCVBUF).
   */
  public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 65536;

  private List<HostPort> targets;
  private Duration timeout;
  private int retries;
  private boolean expectReply;
  private int receiveBufferBytes;
  private Integer sendBufferBytes;

  public SendOptions() {
    targets = new ArrayList<>(List.of(HostPort.parse(DEFAULT_TARGET)));
    timeout = DEFAULT_TIMEOUT;
    retries = DEFAULT_RETRIES;
    expectReply = DEFAULT_EXPECT_REPLY;
    receiveBufferBytes = DEFAULT_RECEIVE_BUFFER_BYTES;
  }

  public SendOptions(SendOptions other) {
    targets = new ArrayList<>(other.targets);
    timeout = other.timeout;
    retries = other.retries;
    expectReply = other.expectReply;
    receiveBufferBytes = other.receiveBufferBytes;
    sendBufferBytes = other.sendBufferBytes;
  }

  /** Reads the {@link #toJson()} shape; missing keys keep their defaults. */
  public SendOptions(JsonObject json) {
    this();
    JsonArray to = json.getJsonArray("targets");
    if (to != null) {
      List<HostPort> parsed = new ArrayList<>();
      to.forEach(t -> parsed.add(HostPort.parse(String.valueOf(t))));
      setTargets(parsed);
    }
    if (json.containsKey("timeout")) {
      setTimeout(Durations.parse(json.getString("timeout")));
    }
    setRetries(json.getInteger("retries", retries));
    setExpectReply(json.getBoolean("expectReply", expectReply));
    setReceiveBufferBytes(json.getInteger("receiveBufferBytes", receiveBufferBytes));
    setSendBufferBytes(json.getInteger("sendBufferBytes", sendBufferBytes));
  }

  public JsonObject toJson() {
    JsonArray to = new JsonArray();
    targets.forEach(t -> to.add(t.label()));
    JsonObject json = new JsonObject()
        .put("targets", to)
        .put("timeout", Durations.format(timeout))
        .put("retries", retries)
        .put("expectReply", expectReply)
        .put("receiveBufferBytes", receiveBufferBytes);
    if (sendBufferBytes != null) {
      json.put("sendBufferBytes", sendBufferBytes);
    }
    return json;
  }

  public List<HostPort> getTargets() {
    return targets;
  }

  /** The targets, at least one; each gets its own socket. */
  public SendOptions setTargets(List<HostPort> targets) {
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException("at least one target is needed");
    }
    this.targets = new ArrayList<>(targets);
    return this;
  }

  public Duration getTimeout() {
    return timeout;
  }

  /** How long each attempt waits for its reply; positive. */
  public SendOptions setTimeout(Duration timeout) {
    if (timeout == null || timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout must be at least 1ms");
    }
    this.timeout = timeout;
    return this;
  }

  public int getRetries() {
    return retries;
  }

  /** How many times a request is sent again after a timeout; 0 or more. */
  public SendOptions setRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
    }
    this.retries = retries;
    return this;
  }

  public boolean isExpectReply() {
    return expectReply;
  }

  /** False for fire and forget (the sink): nothing is waited for, nothing can be missing. */
  public SendOptions setExpectReply(boolean expectReply) {
    this.expectReply = expectReply;
    return this;
  }

  public int getReceiveBufferBytes() {
    return receiveBufferBytes;
  }

  /** SO_RCVBUF of each socket. */
  public SendOptions setReceiveBufferBytes(int receiveBufferBytes) {
    if (receiveBufferBytes < 1) {
      throw new IllegalArgumentException("receive buffer must be positive, got " + receiveBufferBytes);
    }
    this.receiveBufferBytes = receiveBufferBytes;
    return this;
  }

  public Integer getSendBufferBytes() {
    return sendBufferBytes;
  }

  /** SO_SNDBUF of each socket, or null for the kernel default. */
  public SendOptions setSendBufferBytes(Integer sendBufferBytes) {
    if (sendBufferBytes != null && sendBufferBytes < 1) {
      throw new IllegalArgumentException("send buffer must be positive, got " + sendBufferBytes);
    }
    this.sendBufferBytes = sendBufferBytes;
    return this;
  }

  /** The socket buffer requests these options make. */
  public SocketBuffers socketBuffers() {
    return new SocketBuffers(receiveBufferBytes, sendBufferBytes);
  }
}
