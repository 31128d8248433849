# The Echo server of Twisted's UDP howto (Python 3), used as a peer for the Helloer sample.
# usage: python3 twisted_echo_server.py INTERFACE PORT
import sys
from twisted.internet import reactor
from twisted.internet.protocol import DatagramProtocol


class Echo(DatagramProtocol):
    def datagramReceived(self, data, addr):
        print("received %r from %s:%d" % (data, addr[0], addr[1]), flush=True)
        self.transport.write(data, addr)


port = reactor.listenUDP(int(sys.argv[2]), Echo(), interface=sys.argv[1])
print("Echo starting on %d" % port.getHost().port, flush=True)
reactor.callLater(30, reactor.stop)
reactor.run()
