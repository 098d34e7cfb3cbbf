package dev.udplab.client.flood;

import dev.udplab.client.net.GsoMode;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.net.UdpGso;
import dev.udplab.client.report.ReplyKind;
import java.time.Duration;

/**
 * One flood run, validated once. Sweeps, probes and the warm-up take a copy with one value changed
 * ({@link #withRate} and friends).
 *
 * @param target      where the datagrams go
 * @param count       datagrams to send; 0 = until {@code duration} or a stop
 * @param duration    longest send phase; zero = no limit
 * @param rate        datagrams per second; 0 = unpaced
 * @param sizeBytes   datagram size, {@link FloodPayload#HEADER_BYTES} to {@link FloodPayload#MAX_BYTES}
 * @param buffers     SO_RCVBUF / SO_SNDBUF requested for each client socket
 * @param sockets     source sockets used round-robin, each its own flow
 * @param drain       how long to wait for stragglers after the last send
 * @param interval    interval report period, positive
 * @param expect      what the replies are
 * @param gso         whether writes carry several datagrams (see {@link UdpGso})
 * @param warmup      how long to send at the target rate before the run, left out of the report; zero = none
 */
public record FloodOptions(HostPort target, long count, Duration duration, long rate, int sizeBytes,
    SocketBuffers buffers, int sockets, Duration drain, Duration interval, ReplyKind expect, GsoMode gso,
    Duration warmup) {

  /**
   * The warm-up unless {@code --warmup} says otherwise: sockperf leaves out its first 400 ms, and a few thousand
   * datagrams through the send and reply paths take them out of the interpreter before the run.
   */
  public static final Duration DEFAULT_WARMUP = Duration.ofMillis(400);
  /** The longest {@code --warmup}. */
  public static final Duration MAX_WARMUP = Duration.ofMinutes(1);

  /** Datagrams per run: 20000, as in the lab. */
  public static final long DEFAULT_COUNT = 20_000;
  /** The highest {@code --rate}: far beyond any link, and low enough that the pacer's arithmetic cannot overflow. */
  public static final long MAX_RATE = 1_000_000_000L;
  /** The most source sockets. */
  public static final int MAX_SOCKETS = 1024;

  /**
   * @throws IllegalArgumentException naming the option, fit for one usage line
   */
  public FloodOptions {
    if (target == null || duration == null || buffers == null || drain == null || interval == null || expect == null
        || gso == null || warmup == null) {
      throw new IllegalArgumentException("incomplete flood options");
    }
    if (count < 0) {
      throw new IllegalArgumentException("--count must not be negative: " + count);
    }
    if (rate < 0 || rate > MAX_RATE) {
      throw new IllegalArgumentException("--rate must be 0.." + MAX_RATE + ": " + rate);
    }
    if (sizeBytes < FloodPayload.HEADER_BYTES || sizeBytes > FloodPayload.MAX_BYTES) {
      throw new IllegalArgumentException("--size must be between " + FloodPayload.HEADER_BYTES
          + " (the header) and " + FloodPayload.MAX_BYTES + ": " + sizeBytes);
    }
    if (sockets < 1 || sockets > MAX_SOCKETS) {
      throw new IllegalArgumentException("--sockets must be between 1 and " + MAX_SOCKETS + ": " + sockets);
    }
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("--interval must be positive");
    }
    if (warmup.isNegative() || warmup.compareTo(MAX_WARMUP) > 0) {
      throw new IllegalArgumentException("--warmup must be 0s.." + MAX_WARMUP.toSeconds() + "s: " + warmup);
    }
  }

  /**
   * The defaults towards {@code target}: 20000 datagrams of 64 bytes, unpaced, one socket with the kernel's buffers,
   * a 1 s drain and 1 s intervals, replies decided from what arrives, GSO where it fits, the default warm-up.
   */
  public static FloodOptions to(HostPort target) {
    return new FloodOptions(target, DEFAULT_COUNT, Duration.ZERO, 0, FloodPayload.DEFAULT_BYTES,
        SocketBuffers.KERNEL_DEFAULTS, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), ReplyKind.AUTO, GsoMode.AUTO,
        DEFAULT_WARMUP);
  }

  public FloodOptions withCount(long newCount) {
    return new FloodOptions(target, newCount, duration, rate, sizeBytes, buffers, sockets, drain, interval, expect,
        gso, warmup);
  }

  public FloodOptions withDuration(Duration newDuration) {
    return new FloodOptions(target, count, newDuration, rate, sizeBytes, buffers, sockets, drain, interval, expect,
        gso, warmup);
  }

  public FloodOptions withRate(long newRate) {
    return new FloodOptions(target, count, duration, newRate, sizeBytes, buffers, sockets, drain, interval, expect,
        gso, warmup);
  }

  public FloodOptions withSizeBytes(int newSizeBytes) {
    return new FloodOptions(target, count, duration, rate, newSizeBytes, buffers, sockets, drain, interval, expect,
        gso, warmup);
  }

  public FloodOptions withBuffers(SocketBuffers newBuffers) {
    return new FloodOptions(target, count, duration, rate, sizeBytes, newBuffers, sockets, drain, interval, expect,
        gso, warmup);
  }

  public FloodOptions withSockets(int newSockets) {
    return new FloodOptions(target, count, duration, rate, sizeBytes, buffers, newSockets, drain, interval, expect,
        gso, warmup);
  }

  public FloodOptions withDrain(Duration newDrain) {
    return new FloodOptions(target, count, duration, rate, sizeBytes, buffers, sockets, newDrain, interval, expect,
        gso, warmup);
  }

  public FloodOptions withInterval(Duration newInterval) {
    return new FloodOptions(target, count, duration, rate, sizeBytes, buffers, sockets, drain, newInterval, expect,
        gso, warmup);
  }

  public FloodOptions withExpect(ReplyKind newExpect) {
    return new FloodOptions(target, count, duration, rate, sizeBytes, buffers, sockets, drain, interval, newExpect,
        gso, warmup);
  }

  public FloodOptions withGso(GsoMode newGso) {
    return new FloodOptions(target, count, duration, rate, sizeBytes, buffers, sockets, drain, interval, expect,
        newGso, warmup);
  }

  public FloodOptions withWarmup(Duration newWarmup) {
    return new FloodOptions(target, count, duration, rate, sizeBytes, buffers, sockets, drain, interval, expect, gso,
        newWarmup);
  }
}
