# The plain-socket seed's multicast sender ("Multicast server and client in Python", the server code) ported to
# Python 3 for the multi-host tests. Added for testing only: --interval (the seed sleeps 10 s before each send),
# --count (the seed loops forever), --interface (IP_MULTICAST_IF; the seed lets the kernel choose), and flushed prints.
#
# usage: /usr/bin/python3 seed_sender.py [--interval 10] [--count N] [--interface <IPv4 address>]
import argparse
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("--interval", type=float, default=10.0)
parser.add_argument("--count", type=int, default=0, help="stop after N datagrams (0: never)")
parser.add_argument("--interface", default="", help="IPv4 address of the interface to send from")
options = parser.parse_args()

ANY = "0.0.0.0"
SENDERPORT = 1501
MCAST_ADDR = "224.168.2.9"
MCAST_PORT = 1600

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
#The sender is bound on (0.0.0.0:1501)
sock.bind((ANY, SENDERPORT))
#Tell the kernel that we want to multicast and that the data is sent
#to everyone (255 is the level of multicasting)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
if options.interface:
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(options.interface))
sent = 0
while 1:
    time.sleep(options.interval)
    #send the data "hello, world" to the multicast addr: port
    #Any subscribers to the multicast address will receive this data
    sock.sendto(b"Hello World", (MCAST_ADDR, MCAST_PORT))
    sent += 1
    print("sent", sent, flush=True)
    if sent == options.count:
        break
