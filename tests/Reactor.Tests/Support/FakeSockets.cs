using System.Net.Sockets;
using Reactor.Internal.Backends;
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

    public IDatagramSocket CreateDatagramSocket(AddressFamily family)
    {
        var socket = NewDatagram(family);
        Datagram.Add(socket);
        return socket;
    }
}
