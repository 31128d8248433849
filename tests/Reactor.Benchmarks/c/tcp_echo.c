/*
 * The C reference TCP echo server: one thread, level-triggered epoll, accept4 until EAGAIN, 64 KiB reads, every read
 * written back at once, and whatever the kernel does not take queued (reading that connection stops until the queue
 * has drained on EPOLLOUT, so a client that does not read costs at most one read's worth). TCP_NODELAY on, as Reactor,
 * Kestrel and Netty do. This is the practical limit the TCP benchmark compares against (docs/performance.md).
 *
 *   tcp_echo [--port 0] [--interface 127.0.0.1]
 *
 * Prints "Echo starting on <port>" once listening; SIGTERM or SIGINT stops it (at the next wake-up, at most 100 ms
 * later).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_SIZE 65536
#define READS_PER_EVENT 16
#define MAX_EVENTS 256

typedef struct {
    char *pending; /* leftovers the kernel did not take (NULL when none) */
    size_t offset, length;
} connection;

static volatile sig_atomic_t stopping;
static connection *connections; /* indexed by descriptor */
static int max_fd;
static int epoll_fd;

static void on_signal(int signo) { (void)signo; stopping = 1; }

static void watch(int fd, unsigned events)
{
    struct epoll_event event = { .events = events, .data.fd = fd };
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &event);
}

static void close_connection(int fd)
{
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
    free(connections[fd].pending);
    connections[fd].pending = NULL;
    close(fd);
}

/* Writes what is queued; returns 0 when it is all gone, 1 when some is left, -1 on an error. */
static int drain(int fd)
{
    connection *c = &connections[fd];
    while (c->offset < c->length) {
        ssize_t n = send(fd, c->pending + c->offset, c->length - c->offset, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
        }
        c->offset += (size_t)n;
    }
    free(c->pending);
    c->pending = NULL;
    return 0;
}

static void on_readable(int fd, char *buffer)
{
    for (int reads = 0; reads < READS_PER_EVENT; reads++) {
        ssize_t n = recv(fd, buffer, READ_SIZE, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            close_connection(fd); /* the peer's FIN (everything echoed was sent) or an error */
            return;
        }
        if (n < 0) {
            return;
        }

        ssize_t sent = 0;
        while (sent < n) {
            ssize_t w = send(fd, buffer + sent, (size_t)(n - sent), MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                close_connection(fd);
                return;
            }
            sent += w;
        }
        if (sent < n) {
            connection *c = &connections[fd];
            c->length = (size_t)(n - sent);
            c->offset = 0;
            c->pending = malloc(c->length);
            memcpy(c->pending, buffer + sent, c->length);
            watch(fd, EPOLLOUT);
            return;
        }
        if (n < READ_SIZE) {
            return; /* a short read: drained (level-triggered: more data wakes us again) */
        }
    }
}

int main(int argc, char **argv)
{
    const char *interface = "127.0.0.1";
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--interface") == 0 && i + 1 < argc) interface = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0) continue;
        else { fprintf(stderr, "usage: tcp_echo [--port 0] [--interface 127.0.0.1]\n"); return 2; }
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    max_fd = (int)(limit.rlim_cur > 1048576 ? 1048576 : limit.rlim_cur);
    connections = calloc((size_t)max_fd, sizeof *connections);

    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    if (inet_pton(AF_INET, interface, &address.sin_addr) != 1) {
        fprintf(stderr, "bad interface %s (an IPv4 literal)\n", interface);
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4096) != 0) {
        perror("bind/listen");
        return 1;
    }
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr *)&address, &length);

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event);
    printf("Echo starting on %d\n", ntohs(address.sin_port));
    fflush(stdout);

    static char buffer[READ_SIZE];
    static struct epoll_event events[MAX_EVENTS];
    while (!stopping) {
        int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, 100);
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                for (;;) {
                    int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (client < 0) {
                        break; /* EAGAIN: drained (EMFILE and the like: next wake-up) */
                    }
                    if (client >= max_fd) {
                        close(client);
                        continue;
                    }
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct epoll_event e = { .events = EPOLLIN, .data.fd = client };
                    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &e);
                }
                continue;
            }

            if (connections[fd].pending != NULL) {
                int left = drain(fd);
                if (left < 0) {
                    close_connection(fd);
                } else if (left == 0) {
                    watch(fd, EPOLLIN);
                }
                continue;
            }
            on_readable(fd, buffer);
        }
    }

    return 0;
}
