using System.Net.Sockets;
using Reactor.Internal.Linux;

namespace Reactor.Endpoints;

/// <summary>
/// Listens on a listening socket someone else made, passed by descriptor (Twisted's
/// <c>AdoptedStreamServerEndpoint</c>): what the <c>systemd:</c> description makes from a socket systemd passed in.
/// Single use: the descriptor is adopted (<see cref="IReactorSocket.AdoptStreamPort"/>) and then closed, so a second
/// <see cref="Listen"/> fails. Linux only.
/// </summary>
public sealed class AdoptedStreamServerEndpoint : IStreamServerEndpoint
{
    private readonly IReactor _reactor;
    private bool _used;

    /// <summary>Records the descriptor; nothing is adopted until <see cref="Listen"/>.</summary>
    /// <param name="reactor">The reactor to serve the socket with.</param>
    /// <param name="fileDescriptor">A listening stream socket this endpoint may take over (and will close).</param>
    /// <param name="family">The socket's family: InterNetwork, InterNetworkV6 or Unix.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fileDescriptor"/> is negative.</exception>
    public AdoptedStreamServerEndpoint(IReactor reactor, int fileDescriptor, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentOutOfRangeException.ThrowIfNegative(fileDescriptor);
        _reactor = reactor;
        FileDescriptor = fileDescriptor;
        Family = family;
    }

    /// <summary>The descriptor to adopt.</summary>
    public int FileDescriptor { get; }

    /// <summary>The socket's address family.</summary>
    public AddressFamily Family { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// The port is an <see cref="ITcpPort"/> or an <see cref="IUnixPort"/>. A second call fails with an
    /// <see cref="InvalidOperationException"/> (Twisted's <c>AlreadyListened</c>): the descriptor is gone.
    /// </remarks>
    public Deferred<IListeningPort> Listen(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (_used)
        {
            return Deferred.Fail<IListeningPort>(new InvalidOperationException(
                $"This endpoint already listened on descriptor {FileDescriptor}: a descriptor is adopted once."));
        }

        _used = true;
        return Deferred.MaybeDeferred(() =>
        {
            var port = _reactor.AdoptStreamPort(FileDescriptor, Family, factory);

            // Twisted closes the descriptor once adopted: the reactor has its own duplicate.
            AdoptedDescriptor.Close(FileDescriptor);
            return port;
        });
    }

    /// <inheritdoc/>
    public override string ToString() => $"<AdoptedStreamServerEndpoint fd {FileDescriptor} ({Family})>";
}
