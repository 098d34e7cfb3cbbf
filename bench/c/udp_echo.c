/*
 * udp_echo: the reference echo server of bench/run.sh.
 *
 * One thread, one socket, blocking recvmmsg(MSG_WAITFORONE) then sendmmsg of the same batch back to each
 * source. This is about the best a single core does for a UDP echo without kernel bypass, so its loss knee is
 * the yardstick for udp-server.jar.
 *
 * usage: udp_echo [--host H] [--port P] [--rcvbuf BYTES] [--sndbuf BYTES] [--batch N]
 * Prints, like udp-server.jar, one line on stdout once bound:
 *   listening mode=echo address=127.0.0.1:PORT rcvbuf=N sndbuf=N transport=recvmmsg instances=1
 * On SIGINT/SIGTERM prints the final counts on stderr and exits 0. Exit 2 on bad usage, 4 when it cannot bind.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udp_socket.h"

#define MAX_BATCH 1024
#define MAX_DATAGRAM 65536

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void usage_error(const char *msg)
{
    fprintf(stderr, "udp_echo: %s (usage: udp_echo [--host H] [--port P] [--rcvbuf BYTES] [--sndbuf BYTES] "
                    "[--batch N])\n", msg);
    exit(2);
}

static long parse_long(const char *text, const char *name, long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || end == text || value < min || value > max) {
        char msg[160];
        snprintf(msg, sizeof msg, "bad value for --%s: %s", name, text);
        usage_error(msg);
    }
    return value;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    long port = 20001, rcvbuf = 0, sndbuf = 0, batch = 64;
    static const struct option options[] = {
        {"host", required_argument, NULL, 'h'}, {"port", required_argument, NULL, 'p'},
        {"rcvbuf", required_argument, NULL, 'r'}, {"sndbuf", required_argument, NULL, 's'},
        {"batch", required_argument, NULL, 'b'}, {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'h': host = optarg; break;
        case 'p': port = parse_long(optarg, "port", 0, 65535); break;
        case 'r': rcvbuf = parse_long(optarg, "rcvbuf", 1, 1L << 30); break;
        case 's': sndbuf = parse_long(optarg, "sndbuf", 1, 1L << 30); break;
        case 'b': batch = parse_long(optarg, "batch", 1, MAX_BATCH); break;
        default: usage_error("unknown option");
        }
    }
    if (optind != argc) usage_error("unexpected argument");

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST};
    struct addrinfo *bound;
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%ld", port);
    if (getaddrinfo(host, port_text, &hints, &bound) != 0) usage_error("--host must be a numeric address");
    int fd = socket(bound->ai_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        fprintf(stderr, "udp_echo: cannot create a UDP socket: %s\n", strerror(errno));
        return 4;
    }
    request_buffers(fd, rcvbuf, sndbuf);
    if (bind(fd, bound->ai_addr, bound->ai_addrlen) != 0) {
        fprintf(stderr, "udp_echo: cannot bind %s:%ld: %s; choose another --port\n", host, port, strerror(errno));
        return 4;
    }
    freeaddrinfo(bound);

    struct sockaddr_storage local;
    socklen_t local_len = sizeof local;
    getsockname(fd, (struct sockaddr *)&local, &local_len);
    char address[INET6_ADDRSTRLEN];
    int bound_port;
    if (local.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&local;
        inet_ntop(AF_INET6, &a->sin6_addr, address, sizeof address);
        bound_port = ntohs(a->sin6_port);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&local;
        inet_ntop(AF_INET, &a->sin_addr, address, sizeof address);
        bound_port = ntohs(a->sin_port);
    }
    int granted_rcvbuf = 0, granted_sndbuf = 0;
    socklen_t len = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted_rcvbuf, &len);
    len = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &granted_sndbuf, &len);
    printf("listening mode=echo address=%s%s%s:%d rcvbuf=%d sndbuf=%d transport=recvmmsg instances=1\n",
           local.ss_family == AF_INET6 ? "[" : "", address, local.ss_family == AF_INET6 ? "]" : "", bound_port,
           granted_rcvbuf, granted_sndbuf);
    fflush(stdout);

    /* No SA_RESTART: a signal must interrupt the blocking recvmmsg. */
    struct sigaction action = {.sa_handler = on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);

    static struct mmsghdr msgs[MAX_BATCH];
    static struct iovec iovs[MAX_BATCH];
    static struct sockaddr_storage peers[MAX_BATCH];
    char *buffers = malloc((size_t)batch * MAX_DATAGRAM);
    if (buffers == NULL) {
        fprintf(stderr, "udp_echo: out of memory for %ld receive buffers\n", batch);
        return 4;
    }
    unsigned long long received = 0, sent = 0, send_failed = 0, batches = 0;
    while (!stopping) {
        for (int i = 0; i < batch; i++) {
            iovs[i].iov_base = buffers + (size_t)i * MAX_DATAGRAM;
            iovs[i].iov_len = MAX_DATAGRAM;
            msgs[i].msg_hdr = (struct msghdr){.msg_name = &peers[i], .msg_namelen = sizeof peers[i],
                                              .msg_iov = &iovs[i], .msg_iovlen = 1};
        }
        int n = recvmmsg(fd, msgs, (unsigned)batch, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "udp_echo: recvmmsg failed: %s\n", strerror(errno));
            break;
        }
        received += (unsigned)n;
        batches++;
        for (int i = 0; i < n; i++) iovs[i].iov_len = msgs[i].msg_len;
        int done = 0;
        while (done < n) {
            int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
            if (r < 0) {
                if (errno == EINTR) continue;
                /* the datagram at msgs[done] could not be sent: count it and go on with the rest */
                send_failed++;
                done++;
                continue;
            }
            sent += (unsigned)r;
            done += r;
        }
    }
    fprintf(stderr, "udp_echo: final received=%llu sent=%llu send_failed=%llu batches=%llu\n", received, sent,
            send_failed, batches);
    free(buffers);
    close(fd);
    return 0;
}
