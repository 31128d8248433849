/*
 * The TCP load generator: a closed loop against a TCP echo server on loopback, one thread, level-triggered epoll.
 *
 *   tcpload --port P [--host 127.0.0.1] --mode echo    [--connections 1] [--window 1] [--size 64] [--warmup 1] [--seconds 3]
 *   tcpload --port P [--host 127.0.0.1] --mode connect [--connections 16] [--size 64] [--warmup 1] [--seconds 3]
 *   tcpload --port P [--host 127.0.0.1] --mode idle    [--connections 10000] [--size 64] [--hold 5]
 *
 * echo: every connection keeps W messages of S bytes in flight. The stream is ordered, so each connection keeps the
 *   send times of its messages in a FIFO: when the echoed bytes complete a message, its round-trip time is taken and a
 *   new message goes out at once. All the refills that one read allows leave with one write (so a pipelining server
 *   sees several messages per read, as from a real pipelining client). W = 1, C = 1 is ping-pong; S = 65536 is bulk.
 * connect: C workers, each: non-blocking connect, S bytes, wait for the S bytes back, close, again. The time is from
 *   the connect to the last echoed byte. Sources are spread over 127.0.0.2-127.0.0.201 (IP_BIND_ADDRESS_NO_PORT), so
 *   the client's TIME_WAIT sockets do not run out of ports.
 * idle: opens C connections (64 connects in progress at a time, sources spread over 127.0.0.x, 1,000 per address),
 *   echoes S bytes on each, then prints "IDLE connections=<n>" and holds them open for --hold seconds (the runner reads
 *   the server's memory meanwhile), counting any that the server closes.
 *
 * Only completions after the warm-up count. Every loop is bounded by the run's deadline; no reply for 5 s gives up.
 * Prints one line:
 *   RESULT mode=echo connections=1 window=1 size=64 seconds=3.000 received=... rate=... mbps=... p50_us=... p99_us=... errors=...
 * (rate: messages/s for echo, connections/s for connect; mbps: megabytes echoed per second.)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAX_CONNECTIONS 20000
#define MAX_WINDOW 1024
#define MAX_SIZE (1 << 20)
#define READ_SIZE (256 * 1024)
#define MAX_SAMPLES (1u << 25)
#define MAX_EVENTS 256
#define IDLE_IN_PROGRESS 64

enum { CONNECTING, RUNNING, DONE };

typedef struct {
    int fd;
    int state;
    uint64_t *sent_ns;        /* echo: FIFO of the in-flight messages' send times */
    int head, count;          /* echo: the FIFO */
    long long received;       /* bytes of the current message(s) received so far */
    long long to_send;        /* bytes owed to the server (refills not yet written) */
    uint64_t started_ns;      /* connect: when this connection's connect began */
    int watching_out;
} conn;

static conn conns[MAX_CONNECTIONS];
static int epoll_fd;
static struct sockaddr_in server;
static char *send_buffer;
static uint32_t *samples;
static unsigned long long sample_count;
static int spread = 1;

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
    fprintf(stderr, "usage: tcpload --port P [--host 127.0.0.1] [--mode echo|connect|idle] [--connections N] [--window W] "
                    "[--size S] [--warmup 1] [--seconds 3] [--hold 5]\n");
    exit(2);
}

static void sample(uint64_t rtt)
{
    if (sample_count < MAX_SAMPLES) {
        samples[sample_count++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
    }
}

static void set_events(int index, unsigned events, int op)
{
    struct epoll_event event = { .events = events, .data.u32 = (uint32_t)index };
    epoll_ctl(epoll_fd, op, conns[index].fd, &event);
}

/* Starts a non-blocking connect from 127.0.0.(2 + source % 200) (or the kernel's choice when source < 0). */
static int start_connect(int index, int source)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("tcpload: socket");
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (source >= 0 && spread && server.sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = 0 };
        local.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(source % 200));
        if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
            perror("tcpload: bind");
            close(fd);
            return -1;
        }
    }
    if (connect(fd, (struct sockaddr *)&server, sizeof server) != 0 && errno != EINPROGRESS) {
        perror("tcpload: connect");
        close(fd);
        return -1;
    }
    conns[index].fd = fd;
    conns[index].state = CONNECTING;
    conns[index].received = 0;
    conns[index].started_ns = now_ns();
    conns[index].watching_out = 1;
    set_events(index, EPOLLOUT, EPOLL_CTL_ADD);
    return 0;
}

/* Writes what the connection owes; watches EPOLLOUT while some is left. Returns -1 on an error. */
static int flush_owed(int index)
{
    conn *c = &conns[index];
    while (c->to_send > 0) {
        size_t chunk = c->to_send < MAX_SIZE ? (size_t)c->to_send : MAX_SIZE;
        ssize_t n = send(c->fd, send_buffer, chunk, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return -1;
        }
        c->to_send -= n;
    }
    int want_out = c->to_send > 0;
    if (want_out != c->watching_out) {
        c->watching_out = want_out;
        set_events(index, EPOLLIN | (want_out ? EPOLLOUT : 0), EPOLL_CTL_MOD);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *mode = "echo";
    int port = -1, size = 64, window = 1, connections = -1;
    double warmup = 1.0, seconds = 3.0, hold = 5.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--port") == 0 && has_value) port = atoi(argv[++i]);
        else if (strcmp(a, "--host") == 0 && has_value) host = argv[++i];
        else if (strcmp(a, "--mode") == 0 && has_value) mode = argv[++i];
        else if (strcmp(a, "--connections") == 0 && has_value) connections = atoi(argv[++i]);
        else if (strcmp(a, "--window") == 0 && has_value) window = atoi(argv[++i]);
        else if (strcmp(a, "--size") == 0 && has_value) size = atoi(argv[++i]);
        else if (strcmp(a, "--warmup") == 0 && has_value) warmup = atof(argv[++i]);
        else if (strcmp(a, "--seconds") == 0 && has_value) seconds = atof(argv[++i]);
        else if (strcmp(a, "--hold") == 0 && has_value) hold = atof(argv[++i]);
        else if (strcmp(a, "--no-spread") == 0) spread = 0;
        else usage();
    }
    int echo = strcmp(mode, "echo") == 0, churn = strcmp(mode, "connect") == 0, idle = strcmp(mode, "idle") == 0;
    if (connections < 0) connections = churn ? 16 : idle ? 10000 : 1;
    if (port <= 0 || port > 65535 || !(echo || churn || idle) || size < 1 || size > MAX_SIZE || connections < 1 ||
        connections > MAX_CONNECTIONS || window < 1 || window > MAX_WINDOW || warmup < 0 || warmup > 3600 ||
        seconds <= 0 || seconds > 3600 || hold < 0 || hold > 3600) {
        usage();
    }
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1) {
        fprintf(stderr, "tcpload: bad host %s (an IPv4 literal on this machine)\n", host);
        return 2;
    }

    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (idle && (rlim_t)connections + 16 > limit.rlim_cur) {
        fprintf(stderr, "tcpload: %d connections need more descriptors than the limit (%llu)\n", connections,
                (unsigned long long)limit.rlim_cur);
        return 1;
    }

    send_buffer = malloc(MAX_SIZE);
    memset(send_buffer, 'x', MAX_SIZE);
    static char read_buffer[READ_SIZE];
    samples = malloc(sizeof(uint32_t) * MAX_SAMPLES);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (send_buffer == NULL || samples == NULL || epoll_fd < 0) {
        fprintf(stderr, "tcpload: out of memory\n");
        return 1;
    }

    uint64_t start = now_ns();
    uint64_t warm_end = start + (uint64_t)((idle ? 0 : warmup) * 1e9);
    uint64_t end = warm_end + (uint64_t)((idle ? 120 : seconds) * 1e9); /* idle: the time allowed to open them all */
    uint64_t last_progress = start;
    unsigned long long completed = 0, bytes = 0, errors = 0, closed_by_server = 0;
    int opened = 0, established = 0, in_progress = 0, measuring = 0;
    uint64_t measured_start = warm_end;

    if (echo || churn) {
        for (int i = 0; i < connections; i++) {
            if (echo) conns[i].sent_ns = calloc((size_t)window, sizeof(uint64_t));
            if (start_connect(i, churn ? i : -1) != 0) return 1;
        }
        opened = connections;
    }

    static struct epoll_event events[MAX_EVENTS];
    uint64_t now = start;
    while (now < end) {
        if (idle) {
            while (opened < connections && in_progress < IDLE_IN_PROGRESS) {
                if (start_connect(opened, opened / 1000) != 0) return 1;
                opened++;
                in_progress++;
            }
        }

        int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, 20);
        now = now_ns();
        if (!measuring && now >= warm_end) {
            measuring = 1;
            measured_start = now;
        }

        for (int e = 0; e < ready; e++) {
            int index = (int)events[e].data.u32;
            conn *c = &conns[index];
            if (c->state == CONNECTING) {
                int error = 0;
                socklen_t length = sizeof error;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
                if (error != 0) {
                    fprintf(stderr, "tcpload: connect failed: %s\n", strerror(error));
                    return 1;
                }
                c->state = RUNNING;
                c->head = c->count = 0;
                c->to_send = 0;
                if (echo) {
                    for (int w = 0; w < window; w++) {
                        c->sent_ns[(c->head + c->count++) % window] = now;
                    }
                    c->to_send = (long long)window * size;
                } else {
                    c->to_send = size;
                }
                c->watching_out = -1; /* the next flush registers EPOLLIN (+ EPOLLOUT while owing) */
                if (flush_owed(index) != 0) errors++;
                continue;
            }
            if (c->state != RUNNING) continue;

            if (events[e].events & EPOLLOUT) {
                if (flush_owed(index) != 0) {
                    errors++;
                    continue;
                }
            }
            if (!(events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;

            ssize_t n = recv(c->fd, read_buffer, READ_SIZE, 0);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
            if (n <= 0) {
                if (idle && established >= connections) {
                    closed_by_server++;
                    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                    c->state = DONE;
                    continue;
                }
                fprintf(stderr, "tcpload: the server closed a connection (%s)\n", n == 0 ? "FIN" : strerror(errno));
                return 1;
            }
            last_progress = now;
            c->received += n;
            if (echo) {
                int refills = 0;
                while (c->received >= size && c->count > 0) {
                    c->received -= size;
                    uint64_t sent = c->sent_ns[c->head];
                    c->head = (c->head + 1) % window;
                    c->count--;
                    if (measuring && now < end) {
                        completed++;
                        bytes += (unsigned long long)size;
                        sample(now - sent);
                    }
                    refills++;
                }
                for (int r = 0; r < refills; r++) {
                    c->sent_ns[(c->head + c->count++) % window] = now;
                }
                c->to_send += (long long)refills * size;
                if (refills > 0 && flush_owed(index) != 0) errors++;
            } else if (c->received >= size) {
                epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
                if (churn) {
                    close(c->fd);
                    if (measuring && now < end) {
                        completed++;
                        bytes += (unsigned long long)size;
                        sample(now - c->started_ns);
                    }
                    if (start_connect(index, index + (int)(completed % 997) * connections) != 0) return 1;
                } else {
                    /* idle: keep it open, watching for the server closing it */
                    set_events(index, EPOLLIN, EPOLL_CTL_ADD);
                    c->received = -(1LL << 40); /* any more bytes are unexpected but harmless */
                    established++;
                    in_progress--;
                }
            }
        }

        if (idle && established >= connections) {
            break;
        }
        if (now - last_progress > 5000000000ULL) {
            fprintf(stderr, "tcpload: giving up: no progress for 5 s (%d of %d established)\n", established, connections);
            return 1;
        }
    }

    if (idle) {
        if (established < connections) {
            fprintf(stderr, "tcpload: only %d of %d connections were established in time\n", established, connections);
            return 1;
        }
        printf("IDLE connections=%d seconds=%.3f\n", established, (now_ns() - start) / 1e9);
        fflush(stdout);
        uint64_t hold_end = now_ns() + (uint64_t)(hold * 1e9);
        while ((now = now_ns()) < hold_end) {
            uint64_t left_ms = (hold_end - now) / 1000000ULL + 1;
            int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, left_ms < 100 ? (int)left_ms : 100);
            for (int e = 0; e < ready; e++) {
                conn *c = &conns[events[e].data.u32];
                if (c->state == RUNNING && recv(c->fd, read_buffer, READ_SIZE, MSG_DONTWAIT) <= 0) {
                    closed_by_server++;
                    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
                    c->state = DONE;
                }
            }
        }
        printf("RESULT mode=idle connections=%d seconds=%.3f received=%d rate=0 mbps=0 p50_us=0 p99_us=0 errors=%llu\n",
               established, hold, established, closed_by_server);
        return 0;
    }

    double measured = measuring ? (end - measured_start) / 1e9 : 0;
    double p50 = 0, p99 = 0;
    if (sample_count > 0) {
        qsort(samples, sample_count, sizeof samples[0], compare_u32);
        p50 = samples[(sample_count - 1) / 2] / 1000.0;
        p99 = samples[(sample_count - 1) * 99 / 100] / 1000.0;
    }
    printf("RESULT mode=%s connections=%d window=%d size=%d seconds=%.3f received=%llu rate=%.0f mbps=%.1f p50_us=%.1f "
           "p99_us=%.1f errors=%llu\n",
           mode, connections, window, size, measured, completed, measured > 0 ? completed / measured : 0,
           measured > 0 ? bytes / measured / 1e6 : 0, p50, p99, errors);
    return 0;
}
