using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>A UNIX datagram port (Twisted's <c>unix.DatagramPort</c> and <c>ConnectedDatagramPort</c>).</summary>
public interface IUnixDatagramTransport : IListeningPort
{
    /// <summary>The port's own address; an unbound client's is the empty (autobound or unnamed) address.</summary>
    new UnixDomainSocketEndPoint GetHost();

    /// <summary>The address a connected port sends to, or null for a port that is not connected.</summary>
    UnixDomainSocketEndPoint? GetPeer();

    /// <summary>The longest datagram delivered; a longer one is dropped and counted (decision D7 in docs/decisions.md).</summary>
    int MaxPacketSize { get; }

    /// <summary>
    /// Sends a datagram to <paramref name="path"/> (a file path or <c>@name</c>), or to the peer of a connected port when
    /// null. A datagram the kernel has no room for is dropped, as Twisted does; one too long for the socket throws
    /// <see cref="MessageLengthException"/>.
    /// </summary>
    /// <param name="datagram">The datagram.</param>
    /// <param name="path">The destination, or null on a connected port.</param>
    [SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "Twisted's write(datagram, addr=None): the other overloads take the destination in another form, not more options.")]
    void Write(ReadOnlySpan<byte> datagram, string? path = null);

    /// <summary>Sends a datagram to <paramref name="destination"/> (for example a received sender).</summary>
    /// <param name="datagram">The datagram.</param>
    /// <param name="destination">The destination address.</param>
    void Write(ReadOnlySpan<byte> datagram, UnixDomainSocketEndPoint destination);

    /// <summary>Datagrams dropped so far: too long to deliver (decision D7 in docs/decisions.md) or no room in the send buffer.</summary>
    long DroppedDatagrams { get; }
}
