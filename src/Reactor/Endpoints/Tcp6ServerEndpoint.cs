namespace Reactor.Endpoints;

/// <summary>
/// Listens on TCP over IPv6 (Twisted's <c>TCP6ServerEndpoint</c>); the string <c>tcp6:8080</c>. The default interface
/// <c>::</c> is dual-stack: IPv4 clients connect too and show as IPv4-mapped addresses (decision D30 in docs/decisions.md).
/// </summary>
public sealed class Tcp6ServerEndpoint : TcpServerEndpoint
{
    /// <summary>Records where to listen; nothing is bound until <see cref="TcpServerEndpoint.Listen"/>.</summary>
    /// <param name="reactor">The reactor to listen with.</param>
    /// <param name="port">The port, 0–65535 (0 picks a free one).</param>
    /// <param name="backlog">The kernel's queue of connections not yet accepted. Default 50.</param>
    /// <param name="interface">The local IP literal to bind; <c>"::"</c> (the default) is every address, IPv6 and IPv4.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="interface"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> or <paramref name="backlog"/> is out of range.</exception>
    public Tcp6ServerEndpoint(IReactor reactor, int port, int backlog = 50, string @interface = "::")
        : base(reactor, port, backlog, @interface)
    {
    }
}
