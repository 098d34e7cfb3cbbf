package dev.udplab.client.send;

import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.common.cli.Durations;
import java.time.Duration;
import java.util.List;

/**
 * What {@code send} does, validated once: the targets (each gets its own socket), how long each attempt waits for
 * its reply, how often a request is sent again, whether replies are expected at all, and the socket buffers.
 *
 * @param targets     at least one
 * @param timeout     per attempt, whole milliseconds, at least 1 ms
 * @param retries     attempts after the first, 0 or more
 * @param expectReply false for fire and forget (the sink): nothing is waited for, nothing can be missing
 * @param buffers     SO_RCVBUF / SO_SNDBUF of each socket
 */
public record SendOptions(List<HostPort> targets, Duration timeout, int retries, boolean expectReply,
    SocketBuffers buffers) {

  /** The default target, the lab's echo server. */
  public static final String DEFAULT_TARGET = "127.0.0.1:20001";

  /**
   * @throws IllegalArgumentException naming the option, fit for one usage line
   */
  public SendOptions {
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException("at least one --to target is needed");
    }
    if (timeout == null || timeout.toMillis() < 1 || !Durations.wholeMillis(timeout)) {
      throw new IllegalArgumentException("--timeout must be whole milliseconds, at least 1ms (Vert.x timers count "
          + "milliseconds), got " + (timeout == null ? "none" : Durations.format(timeout)));
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--retries must be 0 or more, got " + retries);
    }
    targets = List.copyOf(targets);
  }

  /** Replies expected within 1 s, no retries, the kernel's buffers. */
  public static SendOptions to(List<HostPort> targets) {
    return new SendOptions(targets, Duration.ofSeconds(1), 0, true, SocketBuffers.KERNEL_DEFAULTS);
  }
}
