# A Twisted UDP client, used as a peer nobody here wrote: sends one datagram to host:port, prints the reply.
# usage: python3 twisted_udp_client.py HOST PORT MESSAGE
import sys
from twisted.internet import reactor
from twisted.internet.protocol import DatagramProtocol

host, port, message = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()


class Client(DatagramProtocol):
    def startProtocol(self):
        self.transport.write(message, (host, port))

    def datagramReceived(self, data, addr):
        print("received %r from %s:%d" % (data, addr[0], addr[1]), flush=True)
        reactor.stop()


reactor.listenUDP(0, Client(), interface=host)
reactor.callLater(5, reactor.stop)
reactor.run()
