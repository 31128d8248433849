# Twisted's simpleserv.py (the TCP echo server), used as a peer for the TcpEchoClient sample. Prints its port once
# listening and a line per connection; stops by itself after 30 seconds.
# usage: python3 twisted_tcp_echo_server.py INTERFACE PORT
import sys
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol


class Echo(Protocol):
    def dataReceived(self, data):
        print("received %r" % data, flush=True)
        self.transport.write(data)


factory = Factory()
factory.protocol = Echo
port = reactor.listenTCP(int(sys.argv[2]), factory, interface=sys.argv[1])
print("Echo starting on %d" % port.getHost().port, flush=True)
reactor.callLater(30, reactor.stop)
reactor.run()
