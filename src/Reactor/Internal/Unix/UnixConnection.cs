using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Unix;

/// <summary>
/// A UNIX stream connection: the shared stream core (<see cref="StreamConnection"/>) plus what only UNIX sockets have —
/// path addresses cached when the connection was made, the peer's credentials (SO_PEERCRED, read once), half-close, and
/// Twisted's names for itself. Specified by <c>tests/Reactor.Tests/Unix/</c>.
/// </summary>
internal sealed class UnixConnection : StreamConnection, IUnixTransport
{
    private readonly UnixDomainSocketEndPoint _local;
    private readonly UnixDomainSocketEndPoint _peer;
    private readonly UnixPort? _port;
    private readonly int _sessionNumber;
    private readonly StreamConnector? _connector;

    /// <summary>An accepted connection of <paramref name="port"/>.</summary>
    internal UnixConnection(ReactorBase reactor, IStreamSocket socket, Protocol protocol, UnixDomainSocketEndPoint local, UnixDomainSocketEndPoint peer, UnixPort port, int sessionNumber)
        : base(reactor, socket, protocol)
    {
        _local = local;
        _peer = peer;
        _port = port;
        _sessionNumber = sessionNumber;
        PeerCredentials = ReadCredentials(socket);
    }

    /// <summary>An outgoing connection (a connector's, or an adopted one when <paramref name="connector"/> is <c>null</c>).</summary>
    internal UnixConnection(ReactorBase reactor, IStreamSocket socket, Protocol protocol, UnixDomainSocketEndPoint local, UnixDomainSocketEndPoint peer, StreamConnector? connector)
        : base(reactor, socket, protocol)
    {
        _local = local;
        _peer = peer;
        _connector = connector;
        PeerCredentials = ReadCredentials(socket);
    }

    public UnixCredentials? PeerCredentials { get; }

    protected override string LogSystem =>
        _port is not null ? $"{Protocol.LogPrefix},{_sessionNumber},{UnixPath.Display(_local)}" : $"{Protocol.LogPrefix},client";

    protected override EndPoint LocalAddress => _local;

    protected override EndPoint PeerAddress => _peer;

    public UnixDomainSocketEndPoint GetHost() => _local;

    public UnixDomainSocketEndPoint GetPeer() => _peer;

    public void LoseWriteConnection() => LoseWriteConnectionCore();

    protected override void OnClosed(Failure reason) => _connector?.OnConnectionLost(this, reason);

    public override string ToString() =>
        _port is not null
            ? $"<{Protocol.GetType().Name} #{_sessionNumber} on {UnixPath.Display(_local)}>"
            : $"<{Protocol.GetType().Name} to {UnixPath.Display(_peer)}>";

    private static UnixCredentials? ReadCredentials(IStreamSocket socket) =>
        socket is IPeerCredentialsSource source && source.TryGetPeerCredentials(out var pid, out var uid, out var gid)
            ? new UnixCredentials(pid, uid, gid)
            : null;
}
