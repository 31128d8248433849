# Twisted's echo server over TLS (listenSSL), used as a peer for the TcpEchoClient sample and ConnectSsl. Prints its port
# once listening and a line per event; stops by itself after 30 seconds.
# With --starttls the connection starts in the clear: a line "STARTTLS" is answered "OK" and the connection is upgraded
# with transport.startTLS (Twisted's way); what comes after is echoed inside TLS.
# usage: python3 twisted_tls_echo_server.py INTERFACE PORT CERT.pem KEY.pem [--starttls]
import sys
from twisted.internet import reactor, ssl
from twisted.internet.protocol import Factory, Protocol
from twisted.protocols.basic import LineReceiver

interface, port, cert_path, key_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
starttls = "--starttls" in sys.argv[5:]
with open(cert_path) as c, open(key_path) as k:
    options = ssl.PrivateCertificate.loadPEM(c.read() + k.read()).options()


class Echo(Protocol):
    def dataReceived(self, data):
        print("received %r" % data, flush=True)
        self.transport.write(data)

    def connectionLost(self, reason):
        print("connection lost: %s" % reason.getErrorMessage(), flush=True)


class StartTlsEcho(LineReceiver):
    def lineReceived(self, line):
        print("clear line %r" % line, flush=True)
        if line == b"STARTTLS":
            self.sendLine(b"OK")
            self.transport.startTLS(options)
            self.setRawMode()

    def rawDataReceived(self, data):
        print("secure received %r" % data, flush=True)
        self.transport.write(data)

    def connectionLost(self, reason):
        print("connection lost: %s" % reason.getErrorMessage(), flush=True)


factory = Factory()
factory.protocol = StartTlsEcho if starttls else Echo
if starttls:
    listening = reactor.listenTCP(port, factory, interface=interface)
else:
    listening = reactor.listenSSL(port, factory, options, interface=interface)
print("Echo starting on %d" % listening.getHost().port, flush=True)
reactor.callLater(30, reactor.stop)
reactor.run()
