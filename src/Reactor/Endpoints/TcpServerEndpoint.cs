using System.Net;

namespace Reactor.Endpoints;

/// <summary>
/// A TCP server endpoint (Twisted's <c>_TCPServerEndpoint</c>): <see cref="IReactorTcp.ListenTcp"/> on a port and
/// interface. Use <see cref="Tcp4ServerEndpoint"/> (default interface: every IPv4 address) or
/// <see cref="Tcp6ServerEndpoint"/> (default <c>::</c>, IPv6 and IPv4).
/// </summary>
public abstract class TcpServerEndpoint : IStreamServerEndpoint
{
    private readonly IReactor _reactor;

    /// <summary>Records where to listen; nothing is bound until <see cref="Listen"/>.</summary>
    /// <param name="reactor">The reactor to listen with.</param>
    /// <param name="port">The port, 0–65535 (0 picks a free one).</param>
    /// <param name="backlog">The kernel's queue of connections not yet accepted, at least 1.</param>
    /// <param name="interface">The local IP literal to bind.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="interface"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> or <paramref name="backlog"/> is out of range.</exception>
    private protected TcpServerEndpoint(IReactor reactor, int port, int backlog, string @interface)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentNullException.ThrowIfNull(@interface);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        _reactor = reactor;
        Port = port;
        Backlog = backlog;
        Interface = @interface;
    }

    /// <summary>The port to listen on (0: a free one).</summary>
    public int Port { get; }

    /// <summary>The listen backlog.</summary>
    public int Backlog { get; }

    /// <summary>The local IP literal to bind (<c>""</c>: every IPv4 address).</summary>
    public string Interface { get; }

    /// <inheritdoc/>
    /// <remarks>The port is an <see cref="ITcpPort"/>.</remarks>
    public Deferred<IListeningPort> Listen(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Deferred.MaybeDeferred<IListeningPort>(() => _reactor.ListenTcp(Port, factory, Backlog, Interface));
    }

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name} {(Interface.Length == 0 ? "*" : Interface)}:{Port}>";
}
