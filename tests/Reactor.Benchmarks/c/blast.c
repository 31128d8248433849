/*
 * A one-way UDP stream for the bulk benchmark: sends S-byte datagrams to 127.0.0.1:PORT as fast as it can for a given
 * time, either 64 at a time with sendmmsg, or with UDP GSO (one send of up to 64 segments, cut by the kernel).
 *
 *   blast --port P [--size 1024] [--seconds 3] [--gso]
 *
 * Prints one line: RESULT mode=<mmsg|gso> size=S seconds=T sent=N
 * Blocking socket: when the receiver falls behind, the kernel drops at its receive queue, which is what we measure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define BATCH 64

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int port = 0, size = 1024, gso = 0;
    double seconds = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--size") && i + 1 < argc) size = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--gso")) gso = 1;
        else { fprintf(stderr, "usage: blast --port P [--size 1024] [--seconds 3] [--gso]\n"); return 2; }
    }
    if (port <= 0 || size < 1 || size > 1472 || seconds <= 0 || seconds > 600) {
        fprintf(stderr, "blast: bad arguments\n");
        return 2;
    }

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) { perror("blast: socket"); return 1; }
    int segments = 65000 / size < BATCH ? 65000 / size : BATCH;
    if (gso && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, sizeof size) != 0) { perror("blast: UDP_SEGMENT"); return 1; }

    static char buffer[65536];
    memset(buffer, 'x', sizeof buffer);
    struct iovec vectors[BATCH];
    struct mmsghdr messages[BATCH];
    memset(messages, 0, sizeof messages);
    for (int i = 0; i < BATCH; i++) {
        vectors[i].iov_base = buffer;
        vectors[i].iov_len = size;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }

    unsigned long long sent = 0;
    double start = now(), deadline = start + seconds;
    while (now() < deadline) {
        if (gso) {
            ssize_t n = send(fd, buffer, (size_t)segments * size, 0);
            if (n > 0) sent += segments;
            else if (errno != EINTR && errno != ENOBUFS && errno != ECONNREFUSED) { perror("blast: send"); return 1; }
        } else {
            int n = sendmmsg(fd, messages, BATCH, 0);
            if (n > 0) sent += n;
            else if (errno != EINTR && errno != ENOBUFS && errno != ECONNREFUSED) { perror("blast: sendmmsg"); return 1; }
        }
    }
    printf("RESULT mode=%s size=%d seconds=%.3f sent=%llu\n", gso ? "gso" : "mmsg", size, now() - start, sent);
    return 0;
}
