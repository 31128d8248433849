# Twisted's MulticastClient.py (the UDP howto, listings/udp/MulticastClient.py) ported to Python 3 for the multi-host
# tests. The only changes: the datagram sent is b'UniqueID' and the printed repr is of the decoded reply (so the line
# reads "Received:'data'" as under Python 2); prints flush; and, for testing, the reactor stops after an optional number
# of seconds (first argument, default 5).
#
# usage: /usr/bin/python3 twisted_multicast_client.py [seconds]
import sys

from twisted.internet.protocol import DatagramProtocol
from twisted.internet import reactor
from twisted.application.internet import MulticastServer  # noqa: F401 (imported by the seed, unused there too)


class MulticastClientUDP(DatagramProtocol):

    def datagramReceived(self, datagram, address):
            print("Received:" + repr(datagram.decode()), flush=True)

# Send multicast on 224.0.0.1:8005, on our dynamically allocated port
reactor.listenUDP(0, MulticastClientUDP()).write(b'UniqueID',
                                                 ('224.0.0.1', 8005))
# Testing only: a bounded lifetime.
reactor.callLater(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0, reactor.stop)
reactor.run()
