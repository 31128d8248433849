using System.Net.Sockets;
using Reactor.Internal.Backends;
using Reactor.Internal.Streams;
using Reactor.Internal.Udp;

namespace Reactor.Tests.Support;

/// <summary>
/// A socket factory that hands out scripted fakes instead of the backend's sockets: install it with
/// <c>reactor.Internal().Sockets = new FakeSockets()</c>, then script and inspect the sockets it made.
/// </summary>
internal sealed class FakeSockets : ISocketFactory
{
    /// <summary>Every datagram socket made, in order (the newest last).</summary>
    public List<FakeDatagramSocket> Datagram { get; } = [];

    /// <summary>How the next datagram socket is made; the default is a plain <see cref="FakeDatagramSocket"/>. May throw, as the OS may refuse.</summary>
    public Func<AddressFamily, FakeDatagramSocket> NewDatagram { get; set; } = family => new FakeDatagramSocket(family);

    /// <summary>How a stream socket is made; by default the OS refuses (as out of descriptors), so a test that wants one scripts it.</summary>
    public Func<AddressFamily, IStreamSocket> NewStream { get; set; } = _ => throw new SocketException((int)SocketError.TooManyOpenSockets);

    /// <summary>How a listening socket is made; by default the OS refuses (as out of descriptors).</summary>
    public Func<AddressFamily, IListenSocket> NewListen { get; set; } = _ => throw new SocketException((int)SocketError.TooManyOpenSockets);

    public IStreamSocket CreateStreamSocket(AddressFamily family) => NewStream(family);

    public IListenSocket CreateListenSocket(AddressFamily family) => NewListen(family);

    public IDatagramSocket CreateDatagramSocket(AddressFamily family)
    {
        var socket = NewDatagram(family);
        Datagram.Add(socket);
        return socket;
    }
}
