# Twisted's MulticastServer.py (the UDP howto, listings/udp/MulticastServer.py) ported to Python 3 for the multi-host
# tests. The only changes: datagrams are bytes in Python 3, so the comparison uses b'UniqueID', the reply is b"data" and
# the printed repr is of the decoded text (so the line reads "Server Received:'UniqueID'" as under Python 2); prints
# flush; and, for testing, the reactor stops after an optional number of seconds (first argument, default 10).
#
# usage: /usr/bin/python3 twisted_multicast_server.py [seconds]
import sys

from twisted.internet.protocol import DatagramProtocol
from twisted.internet import reactor
from twisted.application.internet import MulticastServer  # noqa: F401 (imported by the seed, unused there too)


class MulticastServerUDP(DatagramProtocol):
    def startProtocol(self):
        print('Started Listening', flush=True)
        # Join a specific multicast group, which is the IP we will respond to
        self.transport.joinGroup('224.0.0.1')

    def datagramReceived(self, datagram, address):
        # The uniqueID check is to ensure we only service requests from
        # ourselves
        if datagram == b'UniqueID':
            print("Server Received:" + repr(datagram.decode()), flush=True)
            self.transport.write(b"data", address)

# Note that the join function is picky about having a unique object
# on which to call join.  To avoid using startProtocol, the following is
# sufficient:
#reactor.listenMulticast(8005, MulticastServerUDP()).join('224.0.0.1')

# Listen for multicast on 224.0.0.1:8005
reactor.listenMulticast(8005, MulticastServerUDP())
# Testing only: a bounded lifetime.
reactor.callLater(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0, reactor.stop)
reactor.run()
