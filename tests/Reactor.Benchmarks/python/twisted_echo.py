# Twisted's Echo: the UDP howto's server (the seed's Echo), for the benchmark. It stays quiet (no print per
# datagram, like Reactor's Echo with --quiet) and keeps Twisted's defaults (epoll reactor, maxPacketSize 8192).
#
#   /usr/bin/python3 twisted_echo.py [--port 0] [--interface 127.0.0.1]
#
# Prints "Echo starting on <port>" once listening; SIGTERM stops the reactor (Twisted's own signal handling).
import argparse

from twisted.internet import epollreactor

epollreactor.install()

from twisted.internet import reactor  # noqa: E402
from twisted.internet.protocol import DatagramProtocol  # noqa: E402


class Echo(DatagramProtocol):
    def datagramReceived(self, data, addr):
        self.transport.write(data, addr)


parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--interface", default="127.0.0.1")
parser.add_argument("--quiet", action="store_true")
arguments = parser.parse_args()

port = reactor.listenUDP(arguments.port, Echo(), interface=arguments.interface)
print("Echo starting on %d" % port.getHost().port, flush=True)
reactor.run()
