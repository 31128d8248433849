using System.Net;
using Reactor.Internal.Endpoints;
using Reactor.Internal.Streams;

namespace Reactor.Endpoints;

/// <summary>
/// A TCP client endpoint to a host and port: <see cref="Tcp4ClientEndpoint"/> (<see cref="IReactorTcp.ConnectTcp"/>'s
/// own resolution, IPv4 first) or <see cref="Tcp6ClientEndpoint"/> (IPv6 only). For names with several addresses tried
/// side by side, use <see cref="HostnameEndpoint"/>.
/// </summary>
public abstract class TcpClientEndpoint : IStreamClientEndpoint
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
    private protected TcpClientEndpoint(IReactor reactor, string host, int port, TimeSpan? timeout, IPEndPoint? bindAddress)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        EndpointChecks.ClientTarget(host, port, timeout);
        Reactor = reactor;
        Host = host;
        Port = port;
        Timeout = timeout ?? EndpointChecks.DefaultTimeout;
        BindAddress = bindAddress;
    }

    /// <summary>The host to connect to.</summary>
    public string Host { get; }

    /// <summary>The port to connect to.</summary>
    public int Port { get; }

    /// <summary>How long an attempt (name resolution included) may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The local address to connect from, if any.</summary>
    public IPEndPoint? BindAddress { get; }

    private protected IReactor Reactor { get; }

    /// <inheritdoc/>
    /// <remarks>The protocol's transport is an <see cref="ITcpTransport"/>.</remarks>
    public abstract Deferred<Protocol> Connect(Factory factory);

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name} {Host}:{Port}>";

    /// <summary>One <see cref="IReactorTcp.ConnectTcp"/> to <paramref name="host"/>, delivered as a Deferred after ConnectionMade.</summary>
    private protected Deferred<Protocol> ConnectTo(string host, TimeSpan timeout, Factory factory) =>
        ConnectAttempt<Protocol>.Start(Reactor, factory.BuildProtocol, factory.LogPrefix, factory,
            attempt => Reactor.ConnectTcp(host, Port, attempt, timeout, BindAddress));
}
