using System.Net.Sockets;
using Reactor.Internal.Streams;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>The epoll backend's sockets: raw descriptors driven by system calls and registered with the reactor's epoll.</summary>
internal sealed class EpollSocketFactory(EpollReactor reactor) : ISocketFactory
{
    public IDatagramSocket CreateDatagramSocket(AddressFamily family) => new EpollDatagramSocket(reactor, family);

    public IStreamSocket CreateStreamSocket(AddressFamily family) => new EpollStreamSocket(reactor, family);

    public IListenSocket CreateListenSocket(AddressFamily family) => new EpollListenSocket(reactor, family);

    public IListenSocket AdoptListenSocket(int descriptor, AddressFamily family) => new EpollListenSocket(reactor, descriptor, family);

    public IStreamSocket AdoptStreamSocket(int descriptor, AddressFamily family) => new EpollStreamSocket(reactor, descriptor, family);

    public IDatagramSocket AdoptDatagramSocket(int descriptor, AddressFamily family) => new EpollDatagramSocket(reactor, descriptor, family);
}
