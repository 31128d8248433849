/* The 10,000-connection driver of tests/hostile/tcp_10k.sh (issue 17): one thread, epoll, non-blocking sockets.
 *
 *   tcp_10k <port> <server-pid> [connections 10000] [seconds 60] [sources 40]
 *
 * Opens <connections> TCP connections to 127.0.0.1:<port>, connection i bound to 127.0.0.(2 + i % sources) before its
 * connect (one source address slows connect() down past ~14,000 connections), at most 256 connects in flight. Then for
 * <seconds> every connection sends one 16-byte message a second, connection i at start + i/connections + k for
 * k = 0, 1, ... (staggered evenly over each second), and checks each echo: the same 16 bytes (its index, the message's
 * sequence number, the send time), in order. Prints a summary and "verdict: PASS" when every connection opened, every
 * message was answered intact, and no connection failed; otherwise "verdict: FAIL" and exit code 1. Every wait is
 * bounded: 120 s for the connects, 10 s after the last send for the last echoes. Loopback only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE 16
#define MAX_IN_FLIGHT 256

struct conn {
    int fd;
    int state;             /* 0 not started, 1 connecting, 2 open, 3 failed */
    uint32_t sent;         /* messages sent */
    uint32_t answered;     /* echoes checked */
    uint8_t buf[MESSAGE];  /* a partly received echo */
    uint8_t have;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long rss_kib(int pid)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) { kib = strtol(line + 6, NULL, 10); break; }
    fclose(f);
    return kib;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void encode(uint8_t *m, uint32_t index, uint32_t seq, int64_t t)
{
    memcpy(m, &index, 4);
    memcpy(m + 4, &seq, 4);
    memcpy(m + 8, &t, 8);
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: tcp_10k <port> <server-pid> [connections] [seconds] [sources]\n"); return 2; }
    int port = atoi(argv[1]), pid = atoi(argv[2]);
    int n = argc > 3 ? atoi(argv[3]) : 10000;
    int seconds = argc > 4 ? atoi(argv[4]) : 60;
    int sources = argc > 5 ? atoi(argv[5]) : 40;
    if (n < 1 || seconds < 1 || sources < 1 || sources > 250) { fprintf(stderr, "bad arguments\n"); return 2; }

    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)n + 64) { fprintf(stderr, "RLIMIT_NOFILE %ld is too low for %d connections\n", (long)rl.rlim_cur, n); return 2; }

    struct conn *c = calloc((size_t)n, sizeof *c);
    uint64_t capacity = (uint64_t)n * (uint64_t)seconds + 16;
    uint32_t *lat_us = malloc(capacity * sizeof *lat_us);
    if (!c || !lat_us) { fprintf(stderr, "out of memory\n"); return 2; }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event events[1024];

    long rss_start = rss_kib(pid), rss_peak = rss_start, rss_end;
    struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);

    /* ---- Connect ---- */
    int64_t t0 = now_ns(), deadline = t0 + 120LL * 1000000000;
    int next = 0, in_flight = 0, opened = 0, failed = 0;
    while ((opened + failed < n) && now_ns() < deadline) {
        while (next < n && in_flight < MAX_IN_FLIGHT) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = 0 };
            local.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(next % sources));
            int one = 1;
            if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0
                || bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
                if (fd >= 0) close(fd);
                c[next].state = 3; c[next].fd = -1; failed++; next++;
                continue;
            }
            c[next].fd = fd;
            struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)next };
            if (connect(fd, (struct sockaddr *)&server, sizeof server) == 0 || errno == EINPROGRESS) {
                c[next].state = 1; in_flight++;
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            } else {
                close(fd); c[next].fd = -1; c[next].state = 3; failed++;
            }
            next++;
        }
        int k = epoll_wait(ep, events, 1024, 100);
        for (int e = 0; e < k; e++) {
            uint32_t i = events[e].data.u32;
            int err = 0; socklen_t len = sizeof err;
            getsockopt(c[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
            in_flight--;
            if (err) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c[i].fd, NULL);
                close(c[i].fd); c[i].fd = -1; c[i].state = 3; failed++;
            } else {
                struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = i };
                epoll_ctl(ep, EPOLL_CTL_MOD, c[i].fd, &ev);
                c[i].state = 2; opened++;
            }
        }
    }
    int64_t connect_ms = (now_ns() - t0) / 1000000;
    for (int i = 0; i < n; i++)
        if (c[i].state < 2) { if (c[i].fd >= 0) close(c[i].fd); c[i].fd = -1; c[i].state = 3; failed++; }

    /* ---- Echo once a second ---- */
    uint64_t sent = 0, answered = 0, wrong = 0, closed = 0, send_errors = 0, late100 = 0, late1000 = 0, samples = 0;
    int64_t start = now_ns(), end_sends = start + (int64_t)seconds * 1000000000, last_rss = start;
    uint64_t g = 0, total = (uint64_t)n * (uint64_t)seconds; /* global send order: g = k * n + i */
    int64_t hard_end = end_sends + 10LL * 1000000000;
    for (;;) {
        int64_t t = now_ns();
        while (g < total && start + (int64_t)(g / (uint64_t)n) * 1000000000 + (int64_t)((g % (uint64_t)n) * 1000000000ULL / (uint64_t)n) <= t) {
            uint32_t i = (uint32_t)(g % (uint64_t)n);
            g++;
            if (c[i].state != 2) continue;
            uint8_t m[MESSAGE];
            encode(m, i, c[i].sent, now_ns());
            ssize_t w = send(c[i].fd, m, MESSAGE, MSG_NOSIGNAL);
            if (w != MESSAGE) { send_errors++; c[i].state = 3; epoll_ctl(ep, EPOLL_CTL_DEL, c[i].fd, NULL); continue; }
            c[i].sent++; sent++;
        }
        if (t - last_rss >= 1000000000) {
            long r = rss_kib(pid);
            if (r > rss_peak) rss_peak = r;
            last_rss = t;
        }
        if (g >= total && answered + wrong >= sent) break;
        if (t >= hard_end) break;
        int64_t wait_ns = g < total ? 1000000 : 100000000;
        int k = epoll_wait(ep, events, 1024, (int)(wait_ns / 1000000));
        int64_t received_at = now_ns();
        for (int e = 0; e < k; e++) {
            uint32_t i = events[e].data.u32;
            struct conn *x = &c[i];
            if (x->state != 2) continue;
            for (;;) {
                ssize_t r = recv(x->fd, x->buf + x->have, MESSAGE - x->have, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                    closed++; x->state = 3; epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL); break;
                }
                if (r < 0) break;
                x->have = (uint8_t)(x->have + r);
                if (x->have < MESSAGE) continue;
                x->have = 0;
                uint32_t index, seq; int64_t at;
                memcpy(&index, x->buf, 4); memcpy(&seq, x->buf + 4, 4); memcpy(&at, x->buf + 8, 8);
                if (index != i || seq != x->answered || at < start - 1000000000LL || at > received_at) {
                    wrong++; x->state = 3; epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL); break;
                }
                x->answered++; answered++;
                int64_t us = (received_at - at) / 1000;
                if (us >= 100000) late100++;
                if (us >= 1000000) late1000++;
                if (samples < capacity) lat_us[samples++] = (uint32_t)(us > 0xffffffffLL ? 0xffffffffLL : us);
            }
        }
    }
    double run_s = (double)(now_ns() - start) / 1e9;
    rss_end = rss_kib(pid);
    if (rss_end > rss_peak) rss_peak = rss_end;
    for (int i = 0; i < n; i++) if (c[i].fd >= 0) close(c[i].fd);

    qsort(lat_us, samples, sizeof *lat_us, cmp_u32);
    double p50 = samples ? lat_us[samples / 2] / 1000.0 : 0, p99 = samples ? lat_us[(samples * 99) / 100] / 1000.0 : 0;
    double mx = samples ? lat_us[samples - 1] / 1000.0 : 0;
    uint64_t lost = sent - answered - wrong;
    int pass = opened == n && failed == 0 && sent == total && answered == sent && wrong == 0 && closed == 0 && send_errors == 0;

    printf("connections: %d opened, %d failed (connect phase %lld ms, %d source addresses)\n", opened, failed, (long long)connect_ms, sources);
    printf("messages: %llu expected, %llu sent, %llu answered, %llu wrong, %llu lost; %llu late > 100 ms, %llu late > 1 s\n",
           (unsigned long long)total, (unsigned long long)sent, (unsigned long long)answered, (unsigned long long)wrong,
           (unsigned long long)lost, (unsigned long long)late100, (unsigned long long)late1000);
    printf("errors: %llu closed by the server, %llu send errors\n", (unsigned long long)closed, (unsigned long long)send_errors);
    printf("rate: %.0f messages/s over %.1f s\n", answered / run_s, run_s);
    printf("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", p50, p99, mx);
    printf("server rss: start %.1f MiB, peak %.1f MiB, end %.1f MiB\n", rss_start / 1024.0, rss_peak / 1024.0, rss_end / 1024.0);
    printf("verdict: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
