# Twisted's TCP echo (doc/core/examples/simpleserv.py) for the TCP benchmark, on the epoll reactor, TCP_NODELAY on
# (as every other server in the table) and quiet.
#
#   /usr/bin/python3 twisted_tcp_echo.py [--port 0] [--interface 127.0.0.1]
#
# Prints "Echo starting on <port>" once listening; SIGTERM stops the reactor (Twisted's own signal handling).
import argparse

from twisted.internet import epollreactor

epollreactor.install()

from twisted.internet import protocol, reactor  # noqa: E402


class Echo(protocol.Protocol):
    def connectionMade(self):
        self.transport.setTcpNoDelay(True)

    def dataReceived(self, data):
        self.transport.write(data)


parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--interface", default="127.0.0.1")
parser.add_argument("--quiet", action="store_true")
arguments = parser.parse_args()

factory = protocol.ServerFactory()
factory.protocol = Echo
port = reactor.listenTCP(arguments.port, factory, backlog=4096, interface=arguments.interface)
print("Echo starting on %d" % port.getHost().port, flush=True)
reactor.run()
