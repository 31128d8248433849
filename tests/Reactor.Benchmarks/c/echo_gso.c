/*
 * The stronger C reference echo server: epoll (level-triggered) + recvmmsg in batches of 64, drained to EAGAIN on
 * every wake-up, and the replies of one batch coalesced as Reactor coalesces them: each run of equal-size replies to
 * the same peer leaves as one UDP GSO message (a UDP_SEGMENT control message; the kernel cuts it back into datagrams),
 * at most 64 segments and 65,000 bytes per message, and all the batch's messages leave with one sendmmsg. Every
 * datagram goes back to its sender unchanged. This is the reference for the echo scenarios (docs/performance.md).
 * If the kernel refuses GSO (EIO/EINVAL on the first try) it falls back to one datagram per message, as echo_mmsg.
 *
 *   echo_gso [--port 0] [--interface 127.0.0.1]
 *
 * Prints "Echo starting on <port>" once listening; SIGTERM or SIGINT stops it (bounded: it exits at the next
 * wake-up, at most 100 ms later).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAX_DATAGRAM 65536
#define MAX_SEGMENTS 64
#define MAX_GSO_BYTES 65000
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static volatile sig_atomic_t stopping;

static void on_signal(int signo) { (void)signo; stopping = 1; }

static int open_socket(const char *interface, int port)
{
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
        exit(2);
    }

    int fd = socket(address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, length) != 0) {
        perror("socket/bind");
        exit(1);
    }

    length = sizeof address;
    getsockname(fd, (struct sockaddr *)&address, &length);
    printf("Echo starting on %d\n", ntohs(address.ss_family == AF_INET ? v4->sin_port : v6->sin6_port));
    fflush(stdout);
    return fd;
}

int main(int argc, char **argv)
{
    const char *interface = "127.0.0.1";
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--interface") == 0 && i + 1 < argc) interface = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0) continue;
        else { fprintf(stderr, "usage: echo_gso [--port 0] [--interface 127.0.0.1]\n"); return 2; }
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    int fd = open_socket(interface, port);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = fd };
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);

    static char buffers[BATCH][MAX_DATAGRAM];
    static struct sockaddr_storage names[BATCH];
    static struct iovec iovecs[BATCH];
    static struct mmsghdr messages[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iovecs[i].iov_base = buffers[i];
    }

    static struct mmsghdr replies[BATCH];
    static char controls[BATCH][CMSG_SPACE(sizeof(uint16_t))];
    unsigned long long echoed = 0, messages_sent = 0;
    int gso = 1;
    while (!stopping) {
        struct epoll_event ready;
        if (epoll_wait(epoll, &ready, 1, 100) <= 0) {
            continue;
        }

        for (;;) {
            for (int i = 0; i < BATCH; i++) {
                iovecs[i].iov_len = MAX_DATAGRAM;
                messages[i].msg_hdr.msg_name = &names[i];
                messages[i].msg_hdr.msg_namelen = sizeof names[i];
                messages[i].msg_hdr.msg_iov = &iovecs[i];
                messages[i].msg_hdr.msg_iovlen = 1;
                messages[i].msg_hdr.msg_control = NULL;
                messages[i].msg_hdr.msg_controllen = 0;
                messages[i].msg_hdr.msg_flags = 0;
            }

            int received = recvmmsg(fd, messages, BATCH, MSG_DONTWAIT, NULL);
            if (received <= 0) {
                break; /* EAGAIN: drained (or an error: wait for the next event) */
            }

            for (int i = 0; i < received; i++) {
                iovecs[i].iov_len = messages[i].msg_len;
            }

            /* Runs of equal-size datagrams from one peer (consecutive in the batch) become one GSO message. */
            int out = 0;
            for (int i = 0; i < received;) {
                int run = 1;
                size_t length = messages[i].msg_len;
                while (gso && i + run < received && run < MAX_SEGMENTS && (size_t)(run + 1) * length <= MAX_GSO_BYTES &&
                       messages[i + run].msg_len == length &&
                       messages[i + run].msg_hdr.msg_namelen == messages[i].msg_hdr.msg_namelen &&
                       memcmp(&names[i + run], &names[i], messages[i].msg_hdr.msg_namelen) == 0) {
                    run++;
                }
                struct msghdr *h = &replies[out].msg_hdr;
                memset(h, 0, sizeof *h);
                h->msg_name = &names[i];
                h->msg_namelen = messages[i].msg_hdr.msg_namelen;
                h->msg_iov = &iovecs[i];
                h->msg_iovlen = (size_t)run;
                if (run > 1) {
                    h->msg_control = controls[out];
                    h->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
                    struct cmsghdr *cm = CMSG_FIRSTHDR(h);
                    cm->cmsg_level = SOL_UDP;
                    cm->cmsg_type = UDP_SEGMENT;
                    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
                    uint16_t segment = (uint16_t)length;
                    memcpy(CMSG_DATA(cm), &segment, sizeof segment);
                }
                out++;
                i += run;
            }

            int sent = 0;
            while (sent < out) {
                int n = sendmmsg(fd, replies + sent, (unsigned)(out - sent), 0);
                if (n <= 0) {
                    if (gso && n < 0 && (errno == EIO || errno == EINVAL) && replies[sent].msg_hdr.msg_controllen > 0) {
                        gso = 0; /* the kernel cannot segment: this batch's rest is dropped, later ones go unsegmented */
                        break;
                    }
                    break; /* send buffer full or error: drop the rest, as a UDP server may */
                }
                sent += n;
            }
            messages_sent += (unsigned long long)sent;
            echoed += (unsigned long long)received;
        }
    }

    fprintf(stderr, "echo_gso: echoed %llu datagrams in %llu messages%s\n", echoed, messages_sent, gso ? "" : " (GSO refused)");
    return 0;
}
