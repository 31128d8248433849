# A Twisted TCP client, used as a peer nobody here wrote: connects to host:port, sends MESSAGE, waits until as many
# bytes have come back, prints them and closes. Exits 0 once the connection is closed after the whole echo, 1 otherwise
# (refused, lost early, or nothing within 10 seconds).
# usage: python3 twisted_tcp_client.py HOST PORT MESSAGE
import sys
from twisted.internet import reactor
from twisted.internet.protocol import ClientFactory, Protocol

host, port, message = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
result = {"code": 1}


class Client(Protocol):
    def connectionMade(self):
        self.received = b""
        self.transport.write(message)

    def dataReceived(self, data):
        self.received += data
        if len(self.received) >= len(message):
            print("received %r" % self.received, flush=True)
            self.transport.loseConnection()

    def connectionLost(self, reason):
        if self.received == message:
            result["code"] = 0


class Factory(ClientFactory):
    protocol = Client

    def clientConnectionFailed(self, connector, reason):
        print("connection failed: %s" % reason.getErrorMessage(), flush=True)
        reactor.stop()

    def clientConnectionLost(self, connector, reason):
        print("connection lost: %s" % reason.getErrorMessage(), flush=True)
        reactor.stop()


reactor.connectTCP(host, port, Factory(), timeout=10)
reactor.callLater(10, reactor.stop)
reactor.run()
sys.exit(result["code"])
