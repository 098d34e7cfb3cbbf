package dev.udplab.common.runtime;

/**
 * Every system property udplab reads or sets, in one place. {@link #apply()} runs first in each {@code main}
 * (and from {@link VertxRuntime}'s initialiser for tests and embedding): Netty and Vert.x read theirs once, when
 * their classes load. A property the user gives with {@code -D} always wins.
 */
public final class ProcessProperties {

  /**
   * Netty 4.2 registers Flight Recorder events at the first buffer allocation: about 130 {@code jdk.jfr.internal}
   * classes loaded on the event loop between bind and the first datagram.
   */
  public static final String NETTY_JFR = "io.netty.jfr.enabled";
  /**
   * Vert.x resolves the host of every datagram it sends; its DNS resolver lets a send join another event loop's
   * in-flight resolution of the same IP literal, which writes it later and out of order. udplab resolves each name
   * once, with the JDK, and passes IP literals.
   */
  public static final String VERTX_DISABLE_DNS_RESOLVER = "vertx.disableDnsResolver";
  /**
   * The client draws its {@code --plot} charts with Java2D: headless, so no display is looked for (a server, CI, an
   * ssh session has none) and AWT starts no toolkit thread.
   */
  public static final String AWT_HEADLESS = "java.awt.headless";
  /**
   * With the jar manifest's {@code Add-Opens: java.base/java.nio}, lets Netty allocate direct memory with
   * {@code Unsafe.allocateMemory} instead of {@code ByteBuffer.allocateDirect}, which zeroes every new chunk: on
   * this project's VMs the first 8 MiB chunk cost about 30 ms of page faults on the first datagram.
   */
  public static final String NETTY_REFLECTION = "io.netty.tryReflectionSetAccessible";
  /**
   * Netty's leak detector records a stack trace for one buffer in 128 on the datagram path; udplab's tests run it
   * (the build sets the level), the jars do not.
   */
  public static final String NETTY_LEAK_DETECTION = "io.netty.leakDetection.level";
  /** {@code true} sends runs of equal server replies to one sender as one UDP GSO write (off: it lost on loopback). */
  public static final String SERVER_GSO = "udplab.server.gso";
  /** Datagrams the server sends itself through each socket's real path before it says {@code listening}; 0: none. */
  public static final String SERVER_WARMUP = "udplab.server.warmup";
  /** Datagrams per {@code recvmmsg} call on epoll ({@link dev.udplab.common.net.Datagrams#RECVMMSG_DATAGRAMS}). */
  public static final String RECVMMSG = "udplab.recvmmsg";

  private static final int DEFAULT_RECVMMSG_DATAGRAMS = 16;
  private static final int DEFAULT_SERVER_WARMUP = 20_000;

  private ProcessProperties() {
  }

  /** Sets udplab's defaults for the properties the user did not give. Idempotent. */
  public static void apply() {
    setUnlessGiven(NETTY_JFR, "false");
    setUnlessGiven(VERTX_DISABLE_DNS_RESOLVER, "true");
    setUnlessGiven(AWT_HEADLESS, "true");
    setUnlessGiven(NETTY_REFLECTION, "true");
    setUnlessGiven(NETTY_LEAK_DETECTION, "disabled");
  }

  /** {@code -Dudplab.server.gso}, default false. */
  public static boolean serverGso() {
    return Boolean.getBoolean(SERVER_GSO);
  }

  /** {@code -Dudplab.server.warmup}, at least 0 (default 20000). */
  public static int serverWarmUpDatagrams() {
    return Math.max(0, Integer.getInteger(SERVER_WARMUP, DEFAULT_SERVER_WARMUP));
  }

  /** {@code -Dudplab.recvmmsg}, at least 1 (default 16). */
  public static int recvmmsgDatagrams() {
    return Math.max(1, Integer.getInteger(RECVMMSG, DEFAULT_RECVMMSG_DATAGRAMS));
  }

  private static void setUnlessGiven(String name, String value) {
    if (System.getProperty(name) == null) {
      System.setProperty(name, value);
    }
  }
}
