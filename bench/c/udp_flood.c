/*
 * udp_flood: the reference flood generator of bench/run.sh.
 *
 * One thread, one non-blocking socket. Sends sequence-numbered datagrams in sendmmsg batches, paced from the
 * monotonic nanosecond clock (or unpaced), reads echoes with recvmmsg between batches, and counts every echo
 * exactly: a bitmap of seen sequence numbers (received, duplicates), reordering against the highest number
 * seen, and the round-trip time of each echo from the send time in its header into a log-linear histogram
 * (1/64 resolution). After the last send it drains for --drain seconds, or less when every echo is back.
 * When paced, it also measures its own pacing: the gap error of each datagram, |gap to the previous one - 1/rate|
 * (datagrams of one sendmmsg batch leave with a gap of 0), into a histogram of the same kind.
 *
 * Its own header (magic, run id, sequence, send time; 24 bytes, binary) is all it needs: echo servers return
 * the bytes unchanged. The report is one JSON line on stdout with the keys of `udp-client.jar flood --json`,
 * plus sendErrors, size, targetRate and, when paced, "pacing":{"gapErrorP50Micros","gapErrorP99Micros",
 * "gapErrorMaxMicros","gaps"} (null when unpaced).
 *
 * usage: udp_flood [--to HOST:PORT] [--rate PPS] [--count N | --duration SECONDS] [--size BYTES]
 *                  [--drain SECONDS] [--batch N] [--rcvbuf BYTES] [--sndbuf BYTES]
 *        udp_flood --wait-echo SECONDS [--to HOST:PORT]
 *          sends one datagram every 5 ms until one comes back (exit 0, prints the milliseconds waited)
 *          or the time is up (exit 1); bench/run.sh uses it to time a server's start-up.
 * Exit codes: 0 ok, 1 no echo within --wait-echo, 2 bad usage, 4 socket failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "udp_socket.h"

#define MAX_BATCH 1024
#define HEADER_BYTES 24
#define MAGIC 0x55444c42u /* "UDLB" */
#define MAX_INTERVALS 4096
#define HISTOGRAM_BUCKETS (128 + 64 * 64)

struct header {
    uint32_t magic;
    uint32_t run;
    uint64_t sequence;
    uint64_t sent_nanos;
};

static uint64_t histogram[HISTOGRAM_BUCKETS];
static uint64_t gap_histogram[HISTOGRAM_BUCKETS];
static uint64_t interval_sent[MAX_INTERVALS];
static uint64_t interval_received[MAX_INTERVALS];

static void usage_error(const char *msg)
{
    fprintf(stderr, "udp_flood: %s (usage: udp_flood [--to HOST:PORT] [--rate PPS] [--count N | --duration S] "
                    "[--size BYTES] [--drain S] [--batch N] [--rcvbuf BYTES] [--sndbuf BYTES] | "
                    "--wait-echo S [--to HOST:PORT])\n", msg);
    exit(2);
}

static double parse_number(const char *text, const char *name, double min, double max)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || *end != '\0' || end == text || !(value >= min && value <= max)) {
        char msg[160];
        snprintf(msg, sizeof msg, "bad value for --%s: %s", name, text);
        usage_error(msg);
    }
    return value;
}

static uint64_t now_nanos(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Log-linear buckets: exact below 128 ns, then 64 sub-buckets per power of two (under 1.6 % error). */
static int bucket_of(uint64_t v)
{
    if (v < 128) return (int)v;
    int shift = 63 - __builtin_clzll(v) - 6;
    int index = 128 + (shift - 1) * 64 + (int)((v >> shift) - 64);
    return index < HISTOGRAM_BUCKETS ? index : HISTOGRAM_BUCKETS - 1;
}

static uint64_t bucket_value(int index)
{
    if (index < 128) return (uint64_t)index;
    int shift = (index - 128) / 64 + 1;
    uint64_t mantissa = (uint64_t)((index - 128) % 64 + 64);
    return (mantissa << shift) + (1ull << (shift - 1));
}

static double percentile_nanos(const uint64_t *buckets, uint64_t total, double quantile, uint64_t min,
                               uint64_t max)
{
    if (total == 0) return 0;
    uint64_t rank = (uint64_t)ceil(quantile * (double)total);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int i = 0; i < HISTOGRAM_BUCKETS; i++) {
        seen += buckets[i];
        if (seen >= rank) {
            uint64_t v = bucket_value(i);
            if (v < min) v = min;
            if (v > max) v = max;
            return (double)v;
        }
    }
    return (double)max;
}

static double percentile_millis(uint64_t total, double quantile, uint64_t min, uint64_t max)
{
    return percentile_nanos(histogram, total, quantile, min, max) / 1e6;
}

static int resolve(const char *target, struct sockaddr_storage *address, socklen_t *length)
{
    char host[256];
    const char *colon = strrchr(target, ':');
    if (colon == NULL || colon == target || strlen(target) >= sizeof host) return -1;
    size_t host_len = (size_t)(colon - target);
    memcpy(host, target, host_len);
    host[host_len] = '\0';
    if (host[0] == '[' && host_len > 2 && host[host_len - 1] == ']') {
        memmove(host, host + 1, host_len - 2);
        host[host_len - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *found;
    if (getaddrinfo(host, colon + 1, &hints, &found) != 0) return -1;
    memcpy(address, found->ai_addr, found->ai_addrlen);
    *length = found->ai_addrlen;
    freeaddrinfo(found);
    return 0;
}

static int open_socket(const struct sockaddr_storage *target, socklen_t target_len, long rcvbuf, long sndbuf)
{
    int fd = socket(target->ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    request_buffers(fd, rcvbuf, sndbuf);
    /* connected: the kernel filters foreign sources and send needs no address per datagram */
    if (connect(fd, (const struct sockaddr *)target, target_len) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int wait_echo(int fd, double seconds)
{
    uint64_t start = now_nanos();
    uint64_t deadline = start + (uint64_t)(seconds * 1e9);
    char probe[HEADER_BYTES] = "udp_flood wait-echo";
    char reply[2048];
    while (now_nanos() < deadline) {
        send(fd, probe, sizeof probe, 0);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5) > 0) {
            ssize_t n = recv(fd, reply, sizeof reply, 0);
            if (n > 0) {
                printf("%.1f\n", (double)(now_nanos() - start) / 1e6);
                return 0;
            }
        }
    }
    fprintf(stderr, "udp_flood: no echo within %.1f s\n", seconds);
    return 1;
}

int main(int argc, char **argv)
{
    const char *target_text = "127.0.0.1:20001";
    double rate = 0, duration = 0, drain = 1.0, wait_seconds = 0;
    long count = 20000, size = 64, batch = 64, rcvbuf = 0, sndbuf = 0;
    int count_given = 0;
    static const struct option options[] = {
        {"to", required_argument, NULL, 't'}, {"rate", required_argument, NULL, 'r'},
        {"count", required_argument, NULL, 'n'}, {"duration", required_argument, NULL, 'd'},
        {"size", required_argument, NULL, 's'}, {"drain", required_argument, NULL, 'D'},
        {"batch", required_argument, NULL, 'b'}, {"rcvbuf", required_argument, NULL, 'R'},
        {"sndbuf", required_argument, NULL, 'S'}, {"wait-echo", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 't': target_text = optarg; break;
        case 'r': rate = parse_number(optarg, "rate", 0, 1e8); break;
        case 'n': count = (long)parse_number(optarg, "count", 1, 1e10); count_given = 1; break;
        case 'd': duration = parse_number(optarg, "duration", 0.001, 86400); break;
        case 's': size = (long)parse_number(optarg, "size", HEADER_BYTES, 65507); break;
        case 'D': drain = parse_number(optarg, "drain", 0, 3600); break;
        case 'b': batch = (long)parse_number(optarg, "batch", 1, MAX_BATCH); break;
        case 'R': rcvbuf = (long)parse_number(optarg, "rcvbuf", 1, 1 << 30); break;
        case 'S': sndbuf = (long)parse_number(optarg, "sndbuf", 1, 1 << 30); break;
        case 'w': wait_seconds = parse_number(optarg, "wait-echo", 0.001, 3600); break;
        default: usage_error("unknown option");
        }
    }
    if (optind != argc) usage_error("unexpected argument");
    if (duration > 0) {
        if (rate <= 0) usage_error("--duration needs a --rate");
        if (count_given) usage_error("give --count or --duration, not both");
        count = (long)(rate * duration);
        if (count < 1) count = 1;
    }

    struct sockaddr_storage target;
    socklen_t target_len;
    if (resolve(target_text, &target, &target_len) != 0) usage_error("--to must be HOST:PORT");
    int fd = open_socket(&target, target_len, rcvbuf, sndbuf);
    if (fd < 0) {
        fprintf(stderr, "udp_flood: cannot open a UDP socket to %s: %s\n", target_text, strerror(errno));
        return 4;
    }
    if (wait_seconds > 0) return wait_echo(fd, wait_seconds);

    /* finer sleeps in ppoll: pacing at 10,000 pps needs 100 us gaps, the default slack is 50 us */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

    uint64_t *seen = calloc(((size_t)count + 63) / 64, sizeof(uint64_t));
    char *send_buffers = calloc((size_t)batch, (size_t)size);
    char *recv_buffers = calloc((size_t)batch, 2048);
    if (seen == NULL || send_buffers == NULL || recv_buffers == NULL) {
        fprintf(stderr, "udp_flood: out of memory for %ld sequence numbers\n", count);
        return 4;
    }
    static struct mmsghdr send_msgs[MAX_BATCH], recv_msgs[MAX_BATCH];
    static struct iovec send_iovs[MAX_BATCH], recv_iovs[MAX_BATCH];
    for (int i = 0; i < batch; i++) {
        memset(send_buffers + (size_t)i * (size_t)size, 'x', (size_t)size);
        send_iovs[i] = (struct iovec){.iov_base = send_buffers + (size_t)i * (size_t)size, .iov_len = (size_t)size};
        send_msgs[i].msg_hdr = (struct msghdr){.msg_iov = &send_iovs[i], .msg_iovlen = 1};
        recv_iovs[i] = (struct iovec){.iov_base = recv_buffers + (size_t)i * 2048, .iov_len = 2048};
        recv_msgs[i].msg_hdr = (struct msghdr){.msg_iov = &recv_iovs[i], .msg_iovlen = 1};
    }
    uint32_t run = (uint32_t)now_nanos() ^ (uint32_t)getpid();

    uint64_t sent = 0, received = 0, duplicates = 0, reordered = 0, unexpected = 0, send_errors = 0;
    uint64_t highest = 0, rtt_min = UINT64_MAX, rtt_max = 0, last_rtt = 0;
    int any_received = 0;
    double jitter = 0;
    uint64_t start = now_nanos(), last_receive = start, send_end = start;
    uint64_t interval_ns = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
    double interval_exact = rate > 0 ? 1e9 / rate : 0;
    uint64_t last_send = 0, gaps = 0, gap_error_max = 0;
    int sending = 1;
    uint64_t drain_end = 0;

    for (;;) {
        uint64_t now = now_nanos();
        int sent_now = 0;
        if (sending) {
            uint64_t due = (uint64_t)count;
            if (rate > 0) {
                due = (uint64_t)((double)(now - start) * rate / 1e9) + 1;
                if (due > (uint64_t)count) due = (uint64_t)count;
            }
            uint64_t n = due > sent ? due - sent : 0;
            if (n > (uint64_t)batch) n = (uint64_t)batch;
            if (n > 0) {
                for (uint64_t i = 0; i < n; i++) {
                    struct header h = {MAGIC, run, sent + i, now};
                    memcpy(send_iovs[i].iov_base, &h, sizeof h);
                }
                int r = sendmmsg(fd, send_msgs, (unsigned)n, 0);
                if (r > 0) {
                    if (rate > 0) {
                        /* the first of a batch left `now - last_send` after its predecessor, the rest with it */
                        for (int i = 0; i < r; i++) {
                            if (sent == 0 && i == 0) continue;
                            double gap = i == 0 ? (double)(now - last_send) : 0.0;
                            uint64_t error = (uint64_t)fabs(gap - interval_exact);
                            gap_histogram[bucket_of(error)]++;
                            if (error > gap_error_max) gap_error_max = error;
                            gaps++;
                        }
                        last_send = now;
                    }
                    sent += (unsigned)r;
                    sent_now = r;
                    uint64_t second = (now - start) / 1000000000u;
                    if (second < MAX_INTERVALS) interval_sent[second] += (unsigned)r;
                } else if (r < 0 && errno != EAGAIN && errno != EINTR && errno != ENOBUFS) {
                    /* ECONNREFUSED from an earlier ICMP error and the like: count, skip that datagram */
                    send_errors++;
                    sent++;
                }
            }
            if (sent >= (uint64_t)count) {
                sending = 0;
                send_end = now_nanos();
                drain_end = send_end + (uint64_t)(drain * 1e9);
            }
        }

        int got = recvmmsg(fd, recv_msgs, (unsigned)batch, MSG_DONTWAIT, NULL);
        if (got < 0 && errno == ECONNREFUSED) got = 0;
        if (got > 0) {
            uint64_t arrived = now_nanos();
            last_receive = arrived;
            uint64_t second = (arrived - start) / 1000000000u;
            for (int i = 0; i < got; i++) {
                struct header h;
                if (recv_msgs[i].msg_len < HEADER_BYTES) {
                    unexpected++;
                    continue;
                }
                memcpy(&h, recv_iovs[i].iov_base, sizeof h);
                if (h.magic != MAGIC || h.run != run || h.sequence >= sent) {
                    unexpected++;
                    continue;
                }
                uint64_t word = h.sequence / 64, bit = 1ull << (h.sequence % 64);
                if (seen[word] & bit) {
                    duplicates++;
                    continue;
                }
                seen[word] |= bit;
                received++;
                if (second < MAX_INTERVALS) interval_received[second]++;
                if (h.sequence < highest) reordered++;
                else highest = h.sequence;
                uint64_t rtt = arrived - h.sent_nanos;
                histogram[bucket_of(rtt)]++;
                if (rtt < rtt_min) rtt_min = rtt;
                if (rtt > rtt_max) rtt_max = rtt;
                if (any_received) {
                    double d = fabs((double)rtt - (double)last_rtt);
                    jitter += (d - jitter) / 16.0;
                }
                any_received = 1;
                last_rtt = rtt;
            }
        }
        if (!sending && (received >= sent || now_nanos() >= drain_end)) break;
        if (got > 0 || sent_now > 0) continue;
        /* nothing moved: wait for an echo or for the next datagram's send time */
        struct timespec wait;
        uint64_t t = now_nanos();
        uint64_t until;
        if (sending && rate > 0) {
            until = start + (uint64_t)((double)sent * 1e9 / rate);
            if (until > t + interval_ns) until = t + interval_ns;
        } else if (sending) {
            until = t + 1000000; /* unpaced and the socket is full: wait for room */
        } else {
            until = drain_end;
        }
        if (until <= t) continue;
        wait.tv_sec = (time_t)((until - t) / 1000000000u);
        wait.tv_nsec = (long)((until - t) % 1000000000u);
        struct pollfd p = {.fd = fd, .events = (short)(POLLIN | (sending && rate <= 0 ? POLLOUT : 0))};
        ppoll(&p, 1, &wait, NULL);
    }

    uint64_t end = now_nanos();
    int granted_rcvbuf = 0, granted_sndbuf = 0;
    socklen_t len = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted_rcvbuf, &len);
    len = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &granted_sndbuf, &len);
    close(fd);

    double send_seconds = (double)(send_end - start) / 1e9;
    double receive_seconds = (double)(last_receive - start) / 1e9;
    uint64_t lost = sent - received;
    if (rtt_min == UINT64_MAX) rtt_min = 0;
    printf("{\"target\":\"%s\",\"mode\":\"sequenced\",\"sent\":%llu,\"received\":%llu,\"lost\":%llu,"
           "\"lossPercent\":%.4f,\"duplicates\":%llu,\"reordered\":%llu,\"unexpected\":%llu,"
           "\"elapsedSeconds\":%.3f,\"sendRate\":%.1f,\"receiveRate\":%.1f,\"rcvbuf\":%d,\"sndbuf\":%d,"
           "\"rtt\":{\"minMillis\":%.4f,\"p50Millis\":%.4f,\"p90Millis\":%.4f,\"p99Millis\":%.4f,"
           "\"p999Millis\":%.4f,\"maxMillis\":%.4f},\"jitterMillis\":%.4f,\"sendErrors\":%llu,\"size\":%ld,"
           "\"targetRate\":%.1f,",
           target_text, (unsigned long long)sent, (unsigned long long)received, (unsigned long long)lost,
           sent > 0 ? 100.0 * (double)lost / (double)sent : 0.0, (unsigned long long)duplicates,
           (unsigned long long)reordered, (unsigned long long)unexpected, (double)(end - start) / 1e9,
           send_seconds > 0 ? (double)sent / send_seconds : 0.0,
           receive_seconds > 0 ? (double)received / receive_seconds : 0.0, granted_rcvbuf, granted_sndbuf,
           (double)rtt_min / 1e6, percentile_millis(received, 0.50, rtt_min, rtt_max),
           percentile_millis(received, 0.90, rtt_min, rtt_max), percentile_millis(received, 0.99, rtt_min, rtt_max),
           percentile_millis(received, 0.999, rtt_min, rtt_max), (double)rtt_max / 1e6, jitter / 1e6,
           (unsigned long long)send_errors, size, rate);
    if (rate > 0)
        printf("\"pacing\":{\"gapErrorP50Micros\":%.2f,\"gapErrorP99Micros\":%.2f,\"gapErrorMaxMicros\":%.2f,"
               "\"gaps\":%llu},", percentile_nanos(gap_histogram, gaps, 0.50, 0, gap_error_max) / 1e3,
               percentile_nanos(gap_histogram, gaps, 0.99, 0, gap_error_max) / 1e3, (double)gap_error_max / 1e3,
               (unsigned long long)gaps);
    else
        printf("\"pacing\":null,");
    printf("\"intervals\":[");
    uint64_t seconds = (end - start) / 1000000000u + 1;
    if (seconds > MAX_INTERVALS) seconds = MAX_INTERVALS;
    for (uint64_t s = 0; s < seconds; s++)
        printf("%s{\"second\":%llu,\"sent\":%llu,\"received\":%llu}", s ? "," : "", (unsigned long long)s + 1,
               (unsigned long long)interval_sent[s], (unsigned long long)interval_received[s]);
    printf("]}\n");
    free(seen);
    free(send_buffers);
    free(recv_buffers);
    return 0;
}
