"""Sends the MulticastServer sample datagrams that are not exactly UniqueID, then UniqueID, from one socket; reports replies.

Run by MulticastServerHostileTrafficTests inside the private network namespace it creates (NamespaceShell: only a
loopback, with the 224.0.0.0/4 route on it), so nothing sent here can leave the machine. Standard library only.

    multicast_silence.py EXPECTED_FILE [--group 224.0.0.1] [--port 8005] [--interface 127.0.0.1]

Writes to EXPECTED_FILE the line the server should print for each datagram it delivers, formatted by Python's own
repr (the sample prints Python 2's repr of a str, which is Python 3's repr of bytes without the b). Prints key=value
lines: the replies that came while the server was sent the others, and those to UniqueID. Every wait is bounded.
"""

import argparse
import random
import select
import socket
import time

QUIET_WINDOW = 0.5


def replies(s, window, most=100):
    """Every datagram s receives until window seconds pass without one (at most most of them)."""
    received = []
    for _ in range(most):
        ready, _, _ = select.select([s], [], [], window)
        if not ready:
            break
        received.append(s.recv(70000))
    return received


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("expected")
    parser.add_argument("--group", default="224.0.0.1")
    parser.add_argument("--port", type=int, default=8005)
    parser.add_argument("--interface", default="127.0.0.1")
    a = parser.parse_args()

    rng = random.Random(7)
    others = [
        b"",
        b"uniqueid",
        b"UniqueID\n",
        b"UniqueIDx",
        b"UniqueI",
        b" UniqueID",
        b"UniqueID\x00",
        b"data",
        bytes(rng.getrandbits(8) for _ in range(1000)),
        bytes(rng.getrandbits(8) for _ in range(8192)),
    ]
    too_long = b"UniqueID" * 1025  # 8,200 bytes: past the server's 8,192-byte maxPacketSize, dropped unprinted

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.interface, 0))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.interface))
    group = (a.group, a.port)

    with open(a.expected, "w") as expected:
        for datagram in others:
            s.sendto(datagram, group)
            expected.write("Server Received: %s\n" % repr(datagram)[1:])
        s.sendto(too_long, group)
        expected.write("Server Received: %s\n" % repr(b"UniqueID")[1:])

    before = replies(s, QUIET_WINDOW)
    started = time.monotonic()
    s.sendto(b"UniqueID", group)
    # The first answer may wait for the server's first JIT-compiled pass; then a quiet window for any further ones.
    answer = replies(s, 10.0, most=1)
    elapsed = time.monotonic() - started
    after = answer + (replies(s, QUIET_WINDOW) if answer else [])

    print("replies_before=%d" % len(before))
    print("replies_before_sizes=%s" % ",".join(str(len(r)) for r in before))
    print("replies=%s" % ",".join(repr(r)[1:] for r in after))
    print("reply_sizes=%s" % ",".join(str(len(r)) for r in after))
    print("answer_ms=%.1f" % (elapsed * 1000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
