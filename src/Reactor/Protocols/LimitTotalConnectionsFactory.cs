using System.Net;
using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// A factory that caps how many connections its protocols hold at once (Twisted's
/// <c>policies.LimitTotalConnectionsFactory</c>): below <see cref="ConnectionLimit"/> each connection gets a protocol
/// from the wrapped factory; at the limit it gets one from <see cref="OverflowProtocol"/> when that is set (to say "busy,
/// try later" before closing), and is closed at once otherwise.
/// </summary>
/// <remarks>
/// <para>Wraps any factory instead of being a base class to inherit from, as Twisted's is, so it composes with the
/// other policies (<see cref="LimitConnectionsByPeer"/>, <see cref="ThrottlingFactory"/>) and with factories you did
/// not write. The protocols see the real transport. As in Twisted, overflow connections count too (so a flood of them
/// is bounded as well), and a connection stops counting when its <see cref="Protocol.ConnectionLost"/> has run.</para>
/// <para>A refused connection is closed by the listening port and counted in <c>reactor.tcp.accepts.dropped</c> with
/// reason <c>refused</c>. Reactor thread only.</para>
/// </remarks>
public sealed class LimitTotalConnectionsFactory : Factory
{
    private readonly Action<WrappedProtocol> _unregister;

    /// <summary>Limits <paramref name="wrappedFactory"/>'s connections to <paramref name="connectionLimit"/> at a time.</summary>
    /// <param name="wrappedFactory">The factory that builds the real protocols.</param>
    /// <param name="connectionLimit">The most connections at once; <c>null</c> for no limit.</param>
    /// <param name="overflowProtocol">Builds the protocol for a connection past the limit; <c>null</c> closes such a connection at once.</param>
    public LimitTotalConnectionsFactory(Factory wrappedFactory, int? connectionLimit, Func<Protocol>? overflowProtocol = null)
    {
        ArgumentNullException.ThrowIfNull(wrappedFactory);
        WrappedFactory = wrappedFactory;
        ConnectionLimit = connectionLimit;
        OverflowProtocol = overflowProtocol;
        _unregister = _ => ConnectionCount--;
    }

    /// <summary>The factory that builds the protocols of connections within the limit.</summary>
    public Factory WrappedFactory { get; }

    /// <summary>The most connections at once; <c>null</c> for no limit. May be changed at any time: it applies to the next connection.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int? ConnectionLimit
    {
        get;
        set
        {
            if (value is { } limit)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(limit, nameof(ConnectionLimit));
            }

            field = value;
        }
    }

    /// <summary>Builds the protocol for a connection past the limit (it is counted too); <c>null</c> closes such connections at once.</summary>
    public Func<Protocol>? OverflowProtocol { get; set; }

    /// <summary>How many connections (within the limit and overflow) are open now.</summary>
    public int ConnectionCount { get; private set; }

    /// <inheritdoc/>
    public override string LogPrefix => WrappedFactory.LogPrefix;

    /// <summary>A protocol from the wrapped factory below the limit, from <see cref="OverflowProtocol"/> at it, or <c>null</c> (close).</summary>
    public override Protocol? BuildProtocol(EndPoint address)
    {
        Protocol? inner;
        if (ConnectionLimit is not { } limit || ConnectionCount < limit)
        {
            inner = WrappedFactory.BuildProtocol(address);
        }
        else if (OverflowProtocol is { } overflow)
        {
            inner = overflow();
            inner.Factory ??= this;
        }
        else
        {
            return null;
        }

        if (inner is null)
        {
            return null;
        }

        ConnectionCount++;
        var wrapper = WrappedProtocol.Create(inner, _unregister);
        wrapper.Factory = this;
        return wrapper;
    }

    /// <summary>Starts the wrapped factory (once for all the ports this one serves).</summary>
    public override void StartFactory() => WrappedFactory.DoStart();

    /// <summary>Stops the wrapped factory.</summary>
    public override void StopFactory() => WrappedFactory.DoStop();
}
