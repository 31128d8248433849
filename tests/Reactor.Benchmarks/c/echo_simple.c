/*
 * The ping-pong reference echo server: one blocking recvfrom, one sendto, per datagram — the shortest possible
 * path from a wake-up to the reply.
 *
 *   echo_simple [--port 0] [--interface 127.0.0.1]
 *
 * Prints "Echo starting on <port>" once listening; SIGTERM or SIGINT stops it (the signal interrupts recvfrom,
 * as SA_RESTART is not set).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_signal(int signo) { (void)signo; stopping = 1; }

int main(int argc, char **argv)
{
    const char *interface = "127.0.0.1";
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--interface") == 0 && i + 1 < argc) interface = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0) continue;
        else { fprintf(stderr, "usage: echo_simple [--port 0] [--interface 127.0.0.1]\n"); return 2; }
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    struct sockaddr_storage address;
    socklen_t length;
    memset(&address, 0, sizeof address);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    if (inet_pton(AF_INET, interface, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short)port);
        length = sizeof *v4;
    } else if (inet_pton(AF_INET6, interface, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short)port);
        length = sizeof *v6;
    } else {
        fprintf(stderr, "bad interface %s\n", interface);
        return 2;
    }

    int fd = socket(address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, length) != 0) {
        perror("socket/bind");
        return 1;
    }

    length = sizeof address;
    getsockname(fd, (struct sockaddr *)&address, &length);
    printf("Echo starting on %d\n", ntohs(address.ss_family == AF_INET ? v4->sin_port : v6->sin6_port));
    fflush(stdout);

    static char buffer[65536];
    unsigned long long echoed = 0;
    while (!stopping) {
        struct sockaddr_storage peer;
        socklen_t peer_length = sizeof peer;
        ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr *)&peer, &peer_length);
        if (n < 0) {
            continue; /* EINTR from the stop signal, or a transient error */
        }
        sendto(fd, buffer, (size_t)n, 0, (struct sockaddr *)&peer, peer_length);
        echoed++;
    }

    fprintf(stderr, "echo_simple: echoed %llu datagrams\n", echoed);
    return 0;
}
