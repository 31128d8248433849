using System.Net.Sockets;
using Reactor.Internal.Streams;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends.Portable;

/// <summary>The portable backend's sockets: .NET <see cref="Socket"/>s whose completions are queued onto the loop.</summary>
internal sealed class PortableSocketFactory(PortableReactor reactor) : ISocketFactory
{
    public IDatagramSocket CreateDatagramSocket(AddressFamily family) => new PortableDatagramSocket(reactor, family);

    public IStreamSocket CreateStreamSocket(AddressFamily family) => new PortableStreamSocket(reactor, family);

    public IListenSocket CreateListenSocket(AddressFamily family) => new PortableListenSocket(reactor, family);
}
