using System.Net;
using Reactor.Internal.Resolve;

namespace Reactor.Endpoints;

/// <summary>
/// Connects over TCP to an IPv6 address (Twisted's <c>TCP6ClientEndpoint</c>); the string <c>tcp6:example.com:80</c>. An
/// IP literal is used as it is; a host name is resolved to its first IPv6 address
/// (<see cref="AddressPreference.IPv6Only"/>), then connected to. The timeout covers both.
/// </summary>
public sealed class Tcp6ClientEndpoint : TcpClientEndpoint
{
    /// <summary>Records where to connect; nothing happens until <see cref="Connect"/>.</summary>
    /// <param name="reactor">The reactor to connect with.</param>
    /// <param name="host">An IP literal or a host name with an IPv6 address.</param>
    /// <param name="port">The port, 1–65535.</param>
    /// <param name="timeout">How long an attempt (name resolution included) may take; <c>null</c> means 30 seconds.</param>
    /// <param name="bindAddress">A local address (and port, 0 for any) to connect from, or <c>null</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1–65535 or <paramref name="timeout"/> is not positive.</exception>
    public Tcp6ClientEndpoint(IReactor reactor, string host, int port, TimeSpan? timeout = null, IPEndPoint? bindAddress = null)
        : base(reactor, host, port, timeout, bindAddress)
    {
    }

    /// <inheritdoc/>
    public override Deferred<Protocol> Connect(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (IPLiteral.TryParse(Host, out _))
        {
            return ConnectTo(Host, Timeout, factory);
        }

        var destination = new DnsEndPoint(Host, Port);
        Deferred<IPAddress> lookup;
        double started;
        try
        {
            started = Reactor.Seconds();
            lookup = Reactor.Resolve(Host, [Timeout], AddressPreference.IPv6Only);
        }
        catch (Exception e)
        {
            return Deferred.Fail<Protocol>(e);
        }

        return lookup
            .Then(address =>
            {
                var left = Timeout - TimeSpan.FromSeconds(Reactor.Seconds() - started);
                return left > TimeSpan.Zero
                    ? ConnectTo(address.ToString(), left, factory)
                    : Deferred.Fail<Protocol>(new ConnectTimeoutException(destination, Timeout));
            })
            .AddErrback(failure => Deferred.Fail<Protocol>(failure.Exception switch
            {
                CancelledException => new ConnectingCancelledException(destination),
                TimeoutException => new ConnectTimeoutException(destination, Timeout),
                var other => other,
            }));
    }
}
