namespace Reactor;

/// <summary>UNIX datagram sockets (Twisted's <c>IReactorUNIXDatagram</c>).</summary>
public interface IReactorUnixDatagram
{
    /// <summary>
    /// Binds a UNIX datagram socket to <paramref name="path"/> (a file path, or <c>@name</c> for a Linux abstract
    /// name) and delivers what arrives to <paramref name="protocol"/>. The socket file gets <paramref name="mode"/>
    /// (default 0666) and a stale one is replaced as for <see cref="IReactorUnix.ListenUnix"/> (decision D64 in docs/decisions.md); the file
    /// is removed when the port stops.
    /// </summary>
    /// <param name="path">The path or <c>@name</c>.</param>
    /// <param name="protocol">The protocol.</param>
    /// <param name="maxPacketSize">The longest datagram delivered (decision D7 in docs/decisions.md).</param>
    /// <param name="mode">The socket file's mode.</param>
    /// <returns>The port.</returns>
    IUnixDatagramTransport ListenUnixDatagram(string path, UnixDatagramProtocol protocol, int maxPacketSize = 8192, UnixFileMode? mode = null);

    /// <summary>
    /// A UNIX datagram socket connected to <paramref name="path"/>: writes without an address go there, and only its
    /// datagrams are received. Without <paramref name="bindAddress"/> the socket is unbound (on Linux it is autobound
    /// only if it needs an address; its peer sees it as unnamed). A write refused because the peer has gone calls
    /// <see cref="UnixDatagramProtocol.ConnectionRefused"/>.
    /// </summary>
    /// <param name="path">The peer's path or <c>@name</c>.</param>
    /// <param name="protocol">The protocol.</param>
    /// <param name="maxPacketSize">The longest datagram delivered (decision D7 in docs/decisions.md).</param>
    /// <param name="mode">The mode of the bound socket file, when <paramref name="bindAddress"/> is a file path.</param>
    /// <param name="bindAddress">The client's own path or <c>@name</c>, or null for none.</param>
    /// <returns>The port.</returns>
    IUnixDatagramTransport ConnectUnixDatagram(string path, UnixDatagramProtocol protocol, int maxPacketSize = 8192, UnixFileMode? mode = null, string? bindAddress = null);
}
