using System.Net;

namespace Reactor.Endpoints;

/// <summary>
/// Connects over TCP with <see cref="IReactorTcp.ConnectTcp"/> (Twisted's <c>TCP4ClientEndpoint</c>); the string
/// <c>tcp:example.com:80</c>. A host name is resolved to one address (IPv4 first); for names with several addresses,
/// and IPv6 and IPv4 tried side by side, use <see cref="HostnameEndpoint"/>.
/// </summary>
public sealed class Tcp4ClientEndpoint : TcpClientEndpoint
{
    /// <summary>Records where to connect; nothing happens until <see cref="Connect"/>.</summary>
    /// <param name="reactor">The reactor to connect with.</param>
    /// <param name="host">An IP literal or a host name.</param>
    /// <param name="port">The port, 1–65535.</param>
    /// <param name="timeout">How long an attempt (name resolution included) may take; <c>null</c> means 30 seconds.</param>
    /// <param name="bindAddress">A local address (and port, 0 for any) to connect from, or <c>null</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1–65535 or <paramref name="timeout"/> is not positive.</exception>
    public Tcp4ClientEndpoint(IReactor reactor, string host, int port, TimeSpan? timeout = null, IPEndPoint? bindAddress = null)
        : base(reactor, host, port, timeout, bindAddress)
    {
    }

    /// <inheritdoc/>
    public override Deferred<Protocol> Connect(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return ConnectTo(Host, Timeout, factory);
    }
}
