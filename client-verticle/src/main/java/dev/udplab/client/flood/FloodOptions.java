package dev.udplab.client.flood;

import dev.udplab.client.net.BindAddress;
import dev.udplab.client.net.GsoMode;
import dev.udplab.client.net.HostPort;
import dev.udplab.client.net.SocketBuffers;
import dev.udplab.client.net.UdpGso;
import dev.udplab.client.report.FloodParameters;
import dev.udplab.client.report.ReplyKind;
import dev.udplab.common.cli.Durations;
import java.time.Duration;

/**
 * One flood run, validated once. Sweeps, probes and the warm-up take a copy with one value changed
 * ({@link #withRate} and friends).
 *
 * @param target        where the datagrams go
 * @param count         datagrams to send; 0 = until {@code duration} or a stop
 * @param duration      longest send phase; zero = no limit
 * @param rate          datagrams per second; 0 = unpaced
 * @param bitsPerSecond {@code --bitrate} as given (payload bits per second, which {@code rate} was derived from), or
 *                      null
 * @param sizeBytes     datagram size, {@link FloodPayload#HEADER_BYTES} to {@link FloodPayload#MAX_BYTES}
 * @param buffers       SO_RCVBUF / SO_SNDBUF requested for each client socket
 * @param sockets       source sockets used round-robin, each its own flow
 * @param bind          the source address (and first port) of the sockets, or null for the target's loopback or
 *                      wildcard and any port
 * @param drain         how long to wait for stragglers after the last send, whole milliseconds
 * @param interval      interval report period, whole milliseconds; zero = no interval lines
 * @param expect        what the replies are
 * @param gso           whether writes carry several datagrams (see {@link UdpGso})
 * @param warmup        how long to send at the target rate before the run, left out of the report; zero = none
 */
public record FloodOptions(HostPort target, long count, Duration duration, long rate, Long bitsPerSecond,
    int sizeBytes, SocketBuffers buffers, int sockets, BindAddress bind, Duration drain, Duration interval,
    ReplyKind expect, GsoMode gso, Duration warmup) {

  /** Datagrams per run: 20000, as in the lab. */
  public static final long DEFAULT_COUNT = 20_000;
  /** The highest {@code --rate}: far beyond any link, and low enough that the pacer's arithmetic cannot overflow. */
  public static final long MAX_RATE = 1_000_000_000L;
  /** The most source sockets. */
  public static final int MAX_SOCKETS = 1024;
  /**
   * The warm-up unless {@code --warmup} says otherwise: sockperf leaves out its first 400 ms, and a few thousand
   * datagrams through the send and reply paths take them out of the interpreter before the run.
   */
  public static final Duration DEFAULT_WARMUP = Duration.ofMillis(400);
  /** The longest {@code --warmup}. */
  public static final Duration MAX_WARMUP = Duration.ofMinutes(1);

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
      throw new IllegalArgumentException(bitsPerSecond != null
          ? "--bitrate " + bitsPerSecond + " is " + rate + " datagrams per second of " + sizeBytes + " bytes, more "
              + "than " + MAX_RATE
          : "--rate must be 0.." + MAX_RATE + ": " + rate);
    }
    if (sizeBytes < FloodPayload.HEADER_BYTES || sizeBytes > FloodPayload.MAX_BYTES) {
      throw new IllegalArgumentException("--size must be between " + FloodPayload.HEADER_BYTES
          + " (the header) and " + FloodPayload.MAX_BYTES + ": " + sizeBytes);
    }
    if (sockets < 1 || sockets > MAX_SOCKETS) {
      throw new IllegalArgumentException("--sockets must be between 1 and " + MAX_SOCKETS + ": " + sockets);
    }
    if (interval.isNegative() || !Durations.wholeMillis(interval)) {
      throw new IllegalArgumentException("--interval must be 0 (no interval lines) or whole milliseconds, at least "
          + "1ms: " + Durations.format(interval));
    }
    if (drain.isNegative() || !Durations.wholeMillis(drain)) {
      throw new IllegalArgumentException("--drain must be whole milliseconds (Vert.x timers count milliseconds): "
          + Durations.format(drain));
    }
    if (warmup.isNegative() || warmup.compareTo(MAX_WARMUP) > 0) {
      throw new IllegalArgumentException("--warmup must be 0s.." + MAX_WARMUP.toSeconds() + "s: "
          + Durations.format(warmup));
    }
    if (bind != null && bind.isIpv6() != target.isIpv6()) {
      throw new IllegalArgumentException("--bind " + bind + " is " + (bind.isIpv6() ? "IPv6" : "IPv4")
          + " but --to " + target.label() + " is " + (target.isIpv6() ? "IPv6" : "IPv4"));
    }
    if (bind != null && bind.port() > 0 && bind.port() + sockets - 1 > 65535) {
      throw new IllegalArgumentException("--bind " + bind + " with --sockets " + sockets + " needs ports "
          + bind.port() + ".." + (bind.port() + sockets - 1) + ", past 65535");
    }
  }

  /**
   * The defaults towards {@code target}: 20000 datagrams of 64 bytes, unpaced, one socket with the kernel's buffers,
   * a 1 s drain and 1 s intervals, replies decided from what arrives, GSO where it fits, the default warm-up.
   */
  public static FloodOptions to(HostPort target) {
    return new FloodOptions(target, DEFAULT_COUNT, Duration.ZERO, 0, null, FloodPayload.DEFAULT_BYTES,
        SocketBuffers.KERNEL_DEFAULTS, 1, null, Duration.ofSeconds(1), Duration.ofSeconds(1), ReplyKind.AUTO,
        GsoMode.AUTO, DEFAULT_WARMUP);
  }

  /**
   * The rate that sends {@code bitsPerSecond} of payload in datagrams of {@code sizeBytes}: at least 1 per second.
   */
  public static long rateOf(long bitsPerSecond, int sizeBytes) {
    return Math.max(1, Math.round(bitsPerSecond / (8.0 * sizeBytes)));
  }

  /** What this run asks for, with the GSO and buffers it was {@code granted}, as the report shows them. */
  public FloodParameters parameters(int segmentsPerWrite, SocketBuffers.Granted granted) {
    return new FloodParameters(sizeBytes, target.isIpv6(), count, duration.toNanos() / 1e9, rate, bitsPerSecond,
        sockets, gso.toString(), segmentsPerWrite, buffers.receiveBytes(), buffers.sendBytes(),
        granted.receiveBytes(), granted.sendBytes(), expect.toString(), drain.toNanos() / 1e9,
        interval.toNanos() / 1e9, bind == null ? null : bind.label(), warmup.toNanos() / 1e9);
  }

  public FloodOptions withCount(long newCount) {
    return new FloodOptions(target, newCount, duration, rate, bitsPerSecond, sizeBytes, buffers, sockets, bind, drain,
        interval, expect, gso, warmup);
  }

  public FloodOptions withDuration(Duration newDuration) {
    return new FloodOptions(target, count, newDuration, rate, bitsPerSecond, sizeBytes, buffers, sockets, bind, drain,
        interval, expect, gso, warmup);
  }

  /** A copy at {@code newRate} datagrams per second; a {@code --bitrate} no longer applies. */
  public FloodOptions withRate(long newRate) {
    return new FloodOptions(target, count, duration, newRate, null, sizeBytes, buffers, sockets, bind, drain,
        interval, expect, gso, warmup);
  }

  public FloodOptions withSizeBytes(int newSizeBytes) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, newSizeBytes, buffers, sockets, bind, drain,
        interval, expect, gso, warmup);
  }

  public FloodOptions withBuffers(SocketBuffers newBuffers) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, newBuffers, sockets, bind, drain,
        interval, expect, gso, warmup);
  }

  public FloodOptions withSockets(int newSockets) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, buffers, newSockets, bind, drain,
        interval, expect, gso, warmup);
  }

  public FloodOptions withBind(BindAddress newBind) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, buffers, sockets, newBind, drain,
        interval, expect, gso, warmup);
  }

  public FloodOptions withDrain(Duration newDrain) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, buffers, sockets, bind, newDrain,
        interval, expect, gso, warmup);
  }

  public FloodOptions withInterval(Duration newInterval) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, buffers, sockets, bind, drain,
        newInterval, expect, gso, warmup);
  }

  public FloodOptions withExpect(ReplyKind newExpect) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, buffers, sockets, bind, drain,
        interval, newExpect, gso, warmup);
  }

  public FloodOptions withGso(GsoMode newGso) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, buffers, sockets, bind, drain,
        interval, expect, newGso, warmup);
  }

  public FloodOptions withWarmup(Duration newWarmup) {
    return new FloodOptions(target, count, duration, rate, bitsPerSecond, sizeBytes, buffers, sockets, bind, drain,
        interval, expect, gso, newWarmup);
  }
}
