package dev.udplab.server.mode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * What a server mode answers to one datagram: the received bytes in, a reply buffer or none out. Pure logic, no
 * Vert.x, no I/O. Runs on the socket's event loop for every datagram, so it blocks on nothing and logs nothing.
 * An instance is used by one event loop at a time and may keep reusable state (a decoder).
 */
@FunctionalInterface
public interface Responder {

  /**
   * @param request the datagram's bytes, readable from its reader index (possibly none); read it without moving its
   *                indices, and neither keep nor release it
   * @param alloc   where a new reply buffer comes from (the channel's, so pooled and direct where Netty can send it
   *                without a copy)
   * @return {@code null} for no reply; otherwise a buffer the caller now owns (it sends or releases it once):
   *     {@code request.retain()} sends the datagram back as it came, without a copy
   */
  ByteBuf reply(ByteBuf request, ByteBufAllocator alloc);
}
