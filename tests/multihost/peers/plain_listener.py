# A plain UDP socket bound to a port that joins no group: the "host that did not join" of the multi-host tests.
# Prints "listening" once bound, then "got <datagram> from <address>" for each datagram, for --duration seconds.
#
# usage: /usr/bin/python3 plain_listener.py --port 1600 [--family 4|6] [--duration 10]
import argparse
import select
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--family", choices=["4", "6"], default="4")
parser.add_argument("--duration", type=float, default=10.0)
options = parser.parse_args()

family = socket.AF_INET6 if options.family == "6" else socket.AF_INET
sock = socket.socket(family, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("::" if options.family == "6" else "0.0.0.0", options.port))
print("listening", flush=True)
deadline = time.monotonic() + options.duration
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        break
    readable, _, _ = select.select([sock], [], [], left)
    if readable:
        data, addr = sock.recvfrom(65536)
        print("got %r from %s:%d" % (data, addr[0], addr[1]), flush=True)
