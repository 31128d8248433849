using System.Net;
using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// A factory that caps how many connections one peer address holds at once (Twisted's
/// <c>policies.LimitConnectionsByPeer</c>): a connection from an address that already has
/// <see cref="MaxConnectionsPerPeer"/> open is closed at once; the others get a protocol from the wrapped factory.
/// </summary>
/// <remarks>
/// <para>The peer is its IP address without the port (an IPv4-mapped IPv6 address counts as the IPv4 one, so a
/// dual-stack port cannot be used to double the allowance). Addresses that are not IP (UNIX sockets) are not limited.
/// An address's entry goes when its last connection closes, so the table holds only peers with open connections
/// (Twisted keys the release by the peer's port, a bug, and so never frees the count).</para>
/// <para>Wraps any factory, so it stacks with <see cref="LimitTotalConnectionsFactory"/> and
/// <see cref="ThrottlingFactory"/>. The protocols see the real transport. Reactor thread only.</para>
/// </remarks>
public sealed class LimitConnectionsByPeer : Factory
{
    private readonly Dictionary<IPAddress, int> _peerConnections = [];

    /// <summary>Limits each peer address to <paramref name="maxConnectionsPerPeer"/> connections of <paramref name="wrappedFactory"/> at a time.</summary>
    /// <param name="wrappedFactory">The factory that builds the real protocols.</param>
    /// <param name="maxConnectionsPerPeer">The most connections one address may hold at once (Twisted's default: 5).</param>
    public LimitConnectionsByPeer(Factory wrappedFactory, int maxConnectionsPerPeer = 5)
    {
        ArgumentNullException.ThrowIfNull(wrappedFactory);
        ArgumentOutOfRangeException.ThrowIfNegative(maxConnectionsPerPeer);
        WrappedFactory = wrappedFactory;
        MaxConnectionsPerPeer = maxConnectionsPerPeer;
    }

    /// <summary>The factory that builds the protocols.</summary>
    public Factory WrappedFactory { get; }

    /// <summary>The most connections one peer address may hold at once; a change applies to the next connection.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxConnectionsPerPeer
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(MaxConnectionsPerPeer));
            field = value;
        }
    }

    /// <summary>How many peer addresses hold connections now.</summary>
    public int PeerCount => _peerConnections.Count;

    /// <inheritdoc/>
    public override string LogPrefix => WrappedFactory.LogPrefix;

    /// <summary>How many connections <paramref name="address"/> holds now.</summary>
    public int ConnectionsFrom(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return _peerConnections.GetValueOrDefault(Normalize(address));
    }

    /// <summary>A protocol from the wrapped factory, or <c>null</c> (close) when the peer's address is at its limit.</summary>
    public override Protocol? BuildProtocol(EndPoint address)
    {
        if (address is not IPEndPoint ip)
        {
            return WrappedFactory.BuildProtocol(address);
        }

        var peer = Normalize(ip.Address);
        var count = _peerConnections.GetValueOrDefault(peer);
        if (count >= MaxConnectionsPerPeer)
        {
            return null;
        }

        var inner = WrappedFactory.BuildProtocol(address);
        if (inner is null)
        {
            return null;
        }

        _peerConnections[peer] = count + 1;
        var wrapper = WrappedProtocol.Create(inner, _ => Release(peer));
        wrapper.Factory = this;
        return wrapper;
    }

    /// <summary>Starts the wrapped factory (once for all the ports this one serves).</summary>
    public override void StartFactory() => WrappedFactory.DoStart();

    /// <summary>Stops the wrapped factory.</summary>
    public override void StopFactory() => WrappedFactory.DoStop();

    private void Release(IPAddress peer)
    {
        var left = _peerConnections[peer] - 1;
        if (left == 0)
        {
            _peerConnections.Remove(peer);
        }
        else
        {
            _peerConnections[peer] = left;
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
