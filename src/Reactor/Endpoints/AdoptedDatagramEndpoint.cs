using System.Net.Sockets;
using Reactor.Internal.Linux;

namespace Reactor.Endpoints;

/// <summary>
/// Serves a bound UDP socket someone else made, passed by descriptor: what <c>systemd:domain=INET:index=0</c> makes for
/// a datagram service. Single use, as <see cref="AdoptedStreamServerEndpoint"/>: the descriptor is adopted
/// (<see cref="IReactorSocket.AdoptDatagramPort"/>) and then closed. Linux only.
/// </summary>
public sealed class AdoptedDatagramEndpoint : IDatagramEndpoint
{
    private readonly IReactor _reactor;
    private bool _used;

    /// <summary>Records the descriptor; nothing is adopted until <see cref="Listen"/>.</summary>
    /// <param name="reactor">The reactor to serve the socket with.</param>
    /// <param name="fileDescriptor">A bound UDP socket this endpoint may take over (and will close).</param>
    /// <param name="family">InterNetwork or InterNetworkV6.</param>
    /// <param name="maxPacketSize">The largest datagram delivered (0–65535). Default 8192.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fileDescriptor"/> is negative or <paramref name="maxPacketSize"/> is outside 0–65535.</exception>
    public AdoptedDatagramEndpoint(IReactor reactor, int fileDescriptor, AddressFamily family, int maxPacketSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentOutOfRangeException.ThrowIfNegative(fileDescriptor);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPacketSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketSize, 65_535);
        _reactor = reactor;
        FileDescriptor = fileDescriptor;
        Family = family;
        MaxPacketSize = maxPacketSize;
    }

    /// <summary>The descriptor to adopt.</summary>
    public int FileDescriptor { get; }

    /// <summary>The socket's address family.</summary>
    public AddressFamily Family { get; }

    /// <summary>The largest datagram delivered.</summary>
    public int MaxPacketSize { get; }

    /// <inheritdoc/>
    /// <remarks>A second call fails with an <see cref="InvalidOperationException"/>: the descriptor is gone.</remarks>
    public Deferred<IUdpTransport> Listen(DatagramProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (_used)
        {
            return Deferred.Fail<IUdpTransport>(new InvalidOperationException(
                $"This endpoint already listened on descriptor {FileDescriptor}: a descriptor is adopted once."));
        }

        _used = true;
        return Deferred.MaybeDeferred(() =>
        {
            var port = _reactor.AdoptDatagramPort(FileDescriptor, Family, protocol, MaxPacketSize);
            AdoptedDescriptor.Close(FileDescriptor);
            return port;
        });
    }

    /// <inheritdoc/>
    public override string ToString() => $"<AdoptedDatagramEndpoint fd {FileDescriptor} ({Family})>";
}
