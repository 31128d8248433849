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

    public IListenSocket AdoptListenSocket(int descriptor, AddressFamily family) => new PortableListenSocket(reactor, Adopt(descriptor));

    public IStreamSocket AdoptStreamSocket(int descriptor, AddressFamily family) => new PortableStreamSocket(reactor, Adopt(descriptor));

    public IDatagramSocket AdoptDatagramSocket(int descriptor, AddressFamily family) => new PortableDatagramSocket(reactor, Adopt(descriptor));

    /// <summary>A .NET socket that owns <paramref name="descriptor"/> (it reads the family and type from the descriptor).</summary>
    private static Socket Adopt(int descriptor) => new(new SafeSocketHandle(descriptor, ownsHandle: true)) { Blocking = false };
}
