package dev.udplab.common.cli;

import picocli.CommandLine.Option;

/**
 * {@code --rcvbuf} and {@code --sndbuf}, the same on every command that opens sockets: a picocli mixin. Null means
 * "not given": the kernel's default. Reads never depend on SO_RCVBUF ({@link dev.udplab.common.net.DatagramChannels}),
 * so any size can be asked for.
 */
public final class SocketBufferOptions {

  @Option(names = "--rcvbuf", paramLabel = "BYTES", converter = Converters.ByteSize.class,
      description = "SO_RCVBUF to ask for per socket: 65536, 208K, 4M (Linux grants double, capped at "
          + "net.core.rmem_max; the output shows what was granted) (default: the kernel's)")
  private Integer receiveBytes;

  @Option(names = "--sndbuf", paramLabel = "BYTES", converter = Converters.ByteSize.class,
      description = "SO_SNDBUF to ask for per socket, same syntax, capped at net.core.wmem_max "
          + "(default: the kernel's)")
  private Integer sendBytes;

  /** The SO_RCVBUF request, or null for the kernel's default. */
  public Integer receiveBytes() {
    return receiveBytes;
  }

  /** The SO_SNDBUF request, or null for the kernel's default. */
  public Integer sendBytes() {
    return sendBytes;
  }
}
