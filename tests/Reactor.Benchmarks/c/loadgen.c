/*
 * The load generator: keeps W datagrams of S bytes in flight against a UDP echo server on loopback and measures
 * datagrams/s and the round-trip time of every datagram.
 *
 *   loadgen --port P [--host 127.0.0.1] [--size 64] [--window 64] [--warmup 1] [--seconds 3] [--sockets 1]
 *   loadgen --self   [--size 64] [--window 64] [--warmup 1] [--seconds 3] [--sockets 1]
 *
 * Design (docs/performance.md, "Method"):
 * - Connected UDP sockets (the kernel filters replies, sends need no address). The window is split over the sockets;
 *   several sockets give several source ports (for SO_REUSEPORT servers).
 * - Every datagram occupies a slot; its payload starts with the send time (CLOCK_MONOTONIC, ns), the slot number and
 *   the slot's generation. The server echoes the payload unchanged, so a reply names its slot: the round trip is the
 *   receive time minus the embedded send time, and the slot is refilled with a new datagram at once. W = 1 is
 *   ping-pong.
 * - epoll_wait, then recvmmsg (batch 64) until EAGAIN, then one sendmmsg with the refills: the generator's cost per
 *   datagram is one batched send and one batched receive.
 * - A slot without a reply for 250 ms counts as lost and is re-sent under a new generation (a late reply to the old
 *   generation is ignored), so the window never silently shrinks.
 * - Only replies received after the warm-up count. Every loop is bounded by the run's deadline.
 * - --self connects each socket to itself: every datagram "echoes" with no server at all. The rate is then the
 *   generator's own ceiling (its per-datagram send + receive cost, on its own core).
 *
 * Prints one line:
 *   RESULT mode=echo size=64 window=64 sockets=1 seconds=3.000 received=... rate=... p50_us=... p99_us=... lost=... late=... errors=...
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_SOCKETS 64
#define MAX_WINDOW 4096
#define MAX_SIZE 65507
#define MIN_SIZE 16
#define LOSS_TIMEOUT_NS 250000000ULL
#define MAX_SAMPLES (1u << 25)

typedef struct {
    uint64_t sent_ns;
    uint32_t slot;
    uint32_t generation;
} stamp;

typedef struct {
    uint64_t sent_ns; /* 0: free (waiting to be sent) */
    uint32_t generation;
} slot_state;

typedef struct {
    int fd;
    int window;
    slot_state slots[MAX_WINDOW];
    int free_slots[MAX_WINDOW];
    int free_count;
} generator_socket;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen (--port P [--host 127.0.0.1] | --self) [--size 64] [--window 64] [--warmup 1] "
                    "[--seconds 3] [--sockets 1]\n");
    exit(2);
}

static int open_socket(const char *host, int port, int self)
{
    struct sockaddr_storage address;
    socklen_t length;
    memset(&address, 0, sizeof address);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short)port);
        length = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short)port);
        length = sizeof *v6;
    } else {
        fprintf(stderr, "loadgen: bad host %s (an IP literal on this machine)\n", host);
        exit(2);
    }

    int fd = socket(address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("loadgen: socket");
        exit(1);
    }

    if (self) {
        /* Bind to the host on an ephemeral port, then connect to ourselves. */
        v4->sin_port = 0; /* same offset in sockaddr_in6 */
        if (bind(fd, (struct sockaddr *)&address, length) != 0 || getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
            perror("loadgen: bind");
            exit(1);
        }
    }

    if (connect(fd, (struct sockaddr *)&address, length) != 0) {
        perror("loadgen: connect");
        exit(1);
    }

    return fd;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = -1, size = 64, window = 64, sockets = 1, self = 0;
    double warmup = 1.0, seconds = 3.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--self") == 0) self = 1;
        else if (strcmp(a, "--port") == 0 && has_value) port = atoi(argv[++i]);
        else if (strcmp(a, "--host") == 0 && has_value) host = argv[++i];
        else if (strcmp(a, "--size") == 0 && has_value) size = atoi(argv[++i]);
        else if (strcmp(a, "--window") == 0 && has_value) window = atoi(argv[++i]);
        else if (strcmp(a, "--sockets") == 0 && has_value) sockets = atoi(argv[++i]);
        else if (strcmp(a, "--warmup") == 0 && has_value) warmup = atof(argv[++i]);
        else if (strcmp(a, "--seconds") == 0 && has_value) seconds = atof(argv[++i]);
        else usage();
    }

    if ((!self && (port <= 0 || port > 65535)) || size < MIN_SIZE || size > MAX_SIZE || sockets < 1 || sockets > MAX_SOCKETS
        || window < sockets || window > MAX_WINDOW * sockets || warmup < 0 || warmup > 3600 || seconds <= 0 || seconds > 3600) {
        usage();
    }

    static generator_socket state[MAX_SOCKETS];
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    for (int s = 0; s < sockets; s++) {
        generator_socket *g = &state[s];
        g->fd = open_socket(host, self ? 0 : port, self);
        g->window = window / sockets + (s < window % sockets ? 1 : 0);
        for (int i = 0; i < g->window; i++) {
            g->free_slots[g->free_count++] = i;
        }
        struct epoll_event event = { .events = EPOLLIN, .data.u32 = (uint32_t)s };
        epoll_ctl(epoll, EPOLL_CTL_ADD, g->fd, &event);
    }

    /* One send buffer per batch entry (each carries its own stamp); the receive buffers take any size back. */
    static char send_buffers[BATCH][MAX_SIZE];
    static char receive_buffers[BATCH][MAX_SIZE + 1];
    static struct iovec send_iovecs[BATCH], receive_iovecs[BATCH];
    static struct mmsghdr send_messages[BATCH], receive_messages[BATCH];
    for (int i = 0; i < BATCH; i++) {
        memset(send_buffers[i], 'x', (size_t)size);
        send_iovecs[i].iov_base = send_buffers[i];
        send_iovecs[i].iov_len = (size_t)size;
        send_messages[i].msg_hdr.msg_iov = &send_iovecs[i];
        send_messages[i].msg_hdr.msg_iovlen = 1;
        receive_iovecs[i].iov_base = receive_buffers[i];
        receive_iovecs[i].iov_len = MAX_SIZE + 1;
        receive_messages[i].msg_hdr.msg_iov = &receive_iovecs[i];
        receive_messages[i].msg_hdr.msg_iovlen = 1;
    }

    uint32_t *samples = malloc(sizeof(uint32_t) * MAX_SAMPLES);
    if (samples == NULL) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 1;
    }

    unsigned long long received = 0, bytes = 0, lost = 0, late = 0, errors = 0, sample_count = 0;
    uint64_t start = now_ns();
    uint64_t warm_end = start + (uint64_t)(warmup * 1e9);
    uint64_t end = warm_end + (uint64_t)(seconds * 1e9);
    uint64_t measured_start = 0, last_reply = start, next_loss_scan = start + LOSS_TIMEOUT_NS;
    int measuring = 0;
    uint64_t now = start;

    while (now < end) {
        /* Refill: every free slot goes out with the current time, in batches of up to 64 per socket. */
        for (int s = 0; s < sockets; s++) {
            generator_socket *g = &state[s];
            while (g->free_count > 0) {
                int n = g->free_count < BATCH ? g->free_count : BATCH;
                uint64_t t = now_ns();
                for (int i = 0; i < n; i++) {
                    int slot = g->free_slots[g->free_count - 1 - i];
                    stamp st = { t, (uint32_t)slot, ++g->slots[slot].generation };
                    memcpy(send_buffers[i], &st, sizeof st);
                }
                int sent = sendmmsg(g->fd, send_messages, (unsigned)n, 0);
                if (sent <= 0) {
                    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) errors++;
                    break; /* retried after the next wake-up */
                }
                for (int i = 0; i < sent; i++) {
                    int slot = g->free_slots[--g->free_count];
                    g->slots[slot].sent_ns = t;
                }
            }
        }

        struct epoll_event events[MAX_SOCKETS];
        uint64_t remaining_ms = (end - now) / 1000000ULL + 1;
        int ready = epoll_wait(epoll, events, MAX_SOCKETS, remaining_ms < 20 ? (int)remaining_ms : 20);
        now = now_ns();
        if (!measuring && now >= warm_end) {
            measuring = 1;
            measured_start = now;
        }

        for (int e = 0; e < ready; e++) {
            generator_socket *g = &state[events[e].data.u32];
            for (int rounds = 0; rounds < 64; rounds++) { /* drain, bounded */
                for (int i = 0; i < BATCH; i++) {
                    receive_messages[i].msg_hdr.msg_name = NULL;
                    receive_messages[i].msg_hdr.msg_namelen = 0;
                    receive_messages[i].msg_hdr.msg_control = NULL;
                    receive_messages[i].msg_hdr.msg_controllen = 0;
                    receive_messages[i].msg_hdr.msg_flags = 0;
                }
                int n = recvmmsg(g->fd, receive_messages, BATCH, MSG_DONTWAIT, NULL);
                if (n <= 0) {
                    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                        errors++; /* e.g. ECONNREFUSED: nobody listens on the port */
                    }
                    break;
                }
                uint64_t t = now_ns();
                last_reply = t;
                for (int i = 0; i < n; i++) {
                    stamp st;
                    if (receive_messages[i].msg_len < sizeof st) {
                        errors++;
                        continue;
                    }
                    memcpy(&st, receive_buffers[i], sizeof st);
                    if (st.slot >= (uint32_t)g->window || g->slots[st.slot].generation != st.generation || g->slots[st.slot].sent_ns == 0) {
                        late++;
                        continue;
                    }
                    g->slots[st.slot].sent_ns = 0;
                    g->free_slots[g->free_count++] = (int)st.slot;
                    if (measuring && t < end) {
                        received++;
                        bytes += receive_messages[i].msg_len;
                        if (sample_count < MAX_SAMPLES) {
                            uint64_t rtt = t - st.sent_ns;
                            samples[sample_count++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
                        }
                    }
                }
                if (n < BATCH) {
                    break;
                }
            }
        }

        now = now_ns();
        if (now >= next_loss_scan) {
            /* A slot silent for LOSS_TIMEOUT_NS lost its datagram (or the reply): free it for a new generation. */
            for (int s = 0; s < sockets; s++) {
                generator_socket *g = &state[s];
                for (int i = 0; i < g->window; i++) {
                    if (g->slots[i].sent_ns != 0 && now - g->slots[i].sent_ns > LOSS_TIMEOUT_NS) {
                        g->slots[i].sent_ns = 0;
                        g->free_slots[g->free_count++] = i;
                        lost++;
                    }
                }
            }
            next_loss_scan = now + LOSS_TIMEOUT_NS / 4;
        }

        if (errors > 100000 || (now - last_reply > 5000000000ULL)) {
            fprintf(stderr, "loadgen: giving up: %llu errors, %.1f s since the last reply (is the server up?)\n",
                    errors, (now - last_reply) / 1e9);
            return 1;
        }
    }

    double measured = measuring ? (end - measured_start) / 1e9 : 0;
    double p50 = 0, p99 = 0;
    if (sample_count > 0) {
        qsort(samples, sample_count, sizeof samples[0], compare_u32);
        p50 = samples[(sample_count - 1) / 2] / 1000.0;
        p99 = samples[(sample_count - 1) * 99 / 100] / 1000.0;
    }

    printf("RESULT mode=%s size=%d window=%d sockets=%d seconds=%.3f received=%llu rate=%.0f mbps=%.1f p50_us=%.1f "
           "p99_us=%.1f lost=%llu late=%llu errors=%llu\n",
           self ? "self" : "echo", size, window, sockets, measured, received, measured > 0 ? received / measured : 0,
           measured > 0 ? bytes * 8 / measured / 1e6 : 0, p50, p99, lost, late, errors);
    return 0;
}
