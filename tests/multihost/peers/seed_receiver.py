# The plain-socket seed's multicast receiver ("Multicast server and client in Python", the client code) ported to
# Python 3 for the multi-host tests. Added for testing only: --duration (the seed loops forever), --interface (the
# seed joins on ANY), a short sleep when nothing is waiting (the seed spins on a non-blocking socket, which would take
# a whole core from the other processes of the test), and flushed prints. The data is printed decoded, so the lines
# read as they do under Python 2 ("DATA:  Hello World").
#
# usage: /usr/bin/python3 seed_receiver.py [--duration <seconds>] [--interface <IPv4 address>]
import argparse
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("--duration", type=float, default=0.0, help="stop after this many seconds (0: never)")
parser.add_argument("--interface", default="", help="IPv4 address of the interface to join on")
options = parser.parse_args()

ANY = "0.0.0.0"
MCAST_ADDR = "224.168.2.9"
MCAST_PORT = 1600
#create a UDP socket
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
#allow multiple sockets to use the same PORT number
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
#Bind to the port that we know will receive multicast data
sock.bind((ANY, MCAST_PORT))
#tell the kernel that we are a multicast socket
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
#Tell the kernel that we want to add ourselves to a multicast group
#The address for the multicast group is the third param
status = sock.setsockopt(socket.IPPROTO_IP,
                         socket.IP_ADD_MEMBERSHIP,
                         socket.inet_aton(MCAST_ADDR) + socket.inet_aton(options.interface or ANY))

sock.setblocking(0)
ts = time.time()
while 1:
    if options.duration and time.time() - ts >= options.duration:
        break
    try:
        data, addr = sock.recvfrom(1024)
    except socket.error as e:
        time.sleep(0.01)
    else:
        print("We got data!", flush=True)
        print("FROM: ", addr, flush=True)
        print("DATA: ", data.decode(), flush=True)
