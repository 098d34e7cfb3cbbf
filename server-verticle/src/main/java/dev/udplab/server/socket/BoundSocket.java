package dev.udplab.server.socket;

import io.vertx.core.net.SocketAddress;

/**
 * What binding one server socket gave: where it listens, the buffers the kernel granted (read back after bind: Linux
 * doubles a request and caps it at {@code net.core.[rw]mem_max}), and the meters it counts into.
 */
public record BoundSocket(SocketAddress address, int receiveBufferBytes, int sendBufferBytes, ServerMetrics metrics) {
}
