# A Twisted TLS client (connectSSL with optionsForClientTLS: the server's certificate is verified against CA.pem and
# SERVER_NAME), used as a peer nobody here wrote: sends MESSAGE, waits until as many bytes have come back, prints them
# and closes (close_notify). Exits 0 once the connection is closed after the whole echo, 1 otherwise (refused, a
# verification failure, lost early, or nothing within 10 seconds).
# usage: python3 twisted_tls_client.py HOST PORT CA.pem SERVER_NAME MESSAGE
import sys
from twisted.internet import reactor, ssl
from twisted.internet.protocol import ClientFactory, Protocol

host, port, ca_path, server_name, message = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].encode()
with open(ca_path) as f:
    authority = ssl.Certificate.loadPEM(f.read())
options = ssl.optionsForClientTLS(server_name, trustRoot=authority)
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


reactor.connectSSL(host, port, Factory(), options, timeout=10)
reactor.callLater(10, reactor.stop)
reactor.run()
sys.exit(result["code"])
