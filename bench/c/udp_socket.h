/* What the bench's two C programs share: asking the kernel for socket buffer sizes. */
#ifndef UDPLAB_BENCH_UDP_SOCKET_H
#define UDPLAB_BENCH_UDP_SOCKET_H

#include <sys/socket.h>

/* Requests SO_RCVBUF / SO_SNDBUF (a value <= 0 keeps the system default); the kernel doubles and caps them. */
static inline void request_buffers(int fd, long rcvbuf, long sndbuf)
{
    int value;
    if (rcvbuf > 0) {
        value = (int)rcvbuf;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof value);
    }
    if (sndbuf > 0) {
        value = (int)sndbuf;
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, sizeof value);
    }
}

#endif
