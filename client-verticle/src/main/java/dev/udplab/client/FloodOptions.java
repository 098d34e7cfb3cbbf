package dev.udplab.client;

import java.time.Duration;

/**
 * Typed options of one flood run. Sweeps and {@code --find-max-rate} copy it and change one value.
 */
public final class FloodOptions {

  /** How replies are expected to look; {@link #AUTO} decides from what arrives. */
  public enum Expect { AUTO, SEQUENCED, COUNTED, NONE }

  /** Datagrams per run: 20000, as in the lab. */
  public static final long DEFAULT_COUNT = 20_000;
  /** Unpaced. */
  public static final long DEFAULT_RATE = 0;
  /** The highest {@code --rate}: far beyond any link, and low enough that the pacer's arithmetic cannot overflow. */
  public static final long MAX_RATE = 1_000_000_000L;
  /** Wait this long for stragglers after the last send. */
  public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(1);
  /** Interval reports every second. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  private HostPort target;
  private long count = DEFAULT_COUNT;
  private Duration duration = Duration.ZERO;
  private long rate = DEFAULT_RATE;
  private int sizeBytes = FloodPayload.DEFAULT_BYTES;
  private SocketBuffers buffers = new SocketBuffers(null, null);
  private int sockets = 1;
  private Duration drain = DEFAULT_DRAIN;
  private Duration interval = DEFAULT_INTERVAL;
  private Expect expect = Expect.AUTO;
  private UdpGso.Mode gso = UdpGso.Mode.AUTO;

  /** Options with the defaults and {@code target}. */
  public FloodOptions(HostPort target) {
    this.target = target;
  }

  /** A copy. */
  public FloodOptions(FloodOptions other) {
    target = other.target;
    count = other.count;
    duration = other.duration;
    rate = other.rate;
    sizeBytes = other.sizeBytes;
    buffers = other.buffers;
    sockets = other.sockets;
    drain = other.drain;
    interval = other.interval;
    expect = other.expect;
    gso = other.gso;
  }

  /** Whether writes carry several datagrams, segmented by the kernel (see {@link UdpGso}). */
  public UdpGso.Mode gso() {
    return gso;
  }

  public FloodOptions gso(UdpGso.Mode gso) {
    this.gso = gso;
    return this;
  }

  public HostPort target() {
    return target;
  }

  public FloodOptions target(HostPort target) {
    this.target = target;
    return this;
  }

  /** Datagrams to send; 0 = until {@link #duration()} or a stop. */
  public long count() {
    return count;
  }

  public FloodOptions count(long count) {
    this.count = count;
    return this;
  }

  /** Longest send phase; zero = no limit. */
  public Duration duration() {
    return duration;
  }

  public FloodOptions duration(Duration duration) {
    this.duration = duration;
    return this;
  }

  /** Datagrams per second; 0 = unpaced. */
  public long rate() {
    return rate;
  }

  public FloodOptions rate(long rate) {
    this.rate = rate;
    return this;
  }

  public int sizeBytes() {
    return sizeBytes;
  }

  public FloodOptions sizeBytes(int sizeBytes) {
    this.sizeBytes = sizeBytes;
    return this;
  }

  /** Requested SO_RCVBUF / SO_SNDBUF of each client socket. */
  public SocketBuffers buffers() {
    return buffers;
  }

  public FloodOptions buffers(SocketBuffers buffers) {
    this.buffers = buffers;
    return this;
  }

  /** Source sockets used round-robin. */
  public int sockets() {
    return sockets;
  }

  public FloodOptions sockets(int sockets) {
    this.sockets = sockets;
    return this;
  }

  public Duration drain() {
    return drain;
  }

  public FloodOptions drain(Duration drain) {
    this.drain = drain;
    return this;
  }

  public Duration interval() {
    return interval;
  }

  public FloodOptions interval(Duration interval) {
    this.interval = interval;
    return this;
  }

  public Expect expect() {
    return expect;
  }

  public FloodOptions expect(Expect expect) {
    this.expect = expect;
    return this;
  }

  /**
   * Checks the values a user can get wrong.
   *
   * @throws IllegalArgumentException with a message fit for one stderr line
   */
  public FloodOptions validate() {
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
    if (sockets < 1 || sockets > 1024) {
      throw new IllegalArgumentException("--sockets must be between 1 and 1024: " + sockets);
    }
    if (interval.isZero()) {
      throw new IllegalArgumentException("--interval must be positive");
    }
    return this;
  }
}
