using System.Net;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Tcp;

/// <summary>
/// A TCP connection: the shared stream core (<see cref="StreamConnection"/>) plus what only TCP has — IP addresses
/// cached when the connection was made (D32), half-close, TCP_NODELAY and SO_KEEPALIVE, and Twisted's names for itself
/// (<c>Echo,3,127.0.0.1</c> on a server, <c>Echo,client</c> on a client). Specified by
/// <c>tests/Reactor.Tests/Tcp/</c>.
/// </summary>
internal sealed class TcpConnection : StreamConnection, ITcpTransport
{
    private readonly IPEndPoint _local;
    private readonly IPEndPoint _peer;
    private readonly TcpPort? _port;
    private readonly int _sessionNumber;
    private readonly StreamConnector? _connector;

    /// <summary>An accepted connection of <paramref name="port"/>.</summary>
    internal TcpConnection(ReactorBase reactor, IStreamSocket socket, Protocol protocol, IPEndPoint local, IPEndPoint peer, TcpPort port, int sessionNumber)
        : base(reactor, socket, protocol)
    {
        _local = local;
        _peer = peer;
        _port = port;
        _sessionNumber = sessionNumber;
    }

    /// <summary>An outgoing connection made by <paramref name="connector"/>.</summary>
    internal TcpConnection(ReactorBase reactor, IStreamSocket socket, Protocol protocol, IPEndPoint local, IPEndPoint peer, StreamConnector connector)
        : base(reactor, socket, protocol)
    {
        _local = local;
        _peer = peer;
        _connector = connector;
    }

    private TcpConnection(ReactorBase reactor, IStreamSocket socket, Protocol protocol, IPEndPoint local, IPEndPoint peer)
        : base(reactor, socket, protocol)
    {
        _local = local;
        _peer = peer;
    }

    /// <summary>A connected socket handed over by someone else (<c>AdoptStreamConnection</c>): named like an accepted one, TCP_NODELAY as configured.</summary>
    internal static TcpConnection Adopted(ReactorBase reactor, IStreamSocket socket, Protocol protocol, IPEndPoint local, IPEndPoint peer)
    {
        if (reactor.Options.Tcp.NoDelay)
        {
            TcpPort.TrySetNoDelay(socket);
        }

        return new TcpConnection(reactor, socket, protocol, local, peer);
    }

    public bool NoDelay
    {
        get
        {
            VerifyOpen();
            return Socket.NoDelay;
        }

        set
        {
            VerifyOpen();
            Socket.NoDelay = value;
        }
    }

    public bool KeepAlive
    {
        get
        {
            VerifyOpen();
            return Socket.KeepAlive;
        }

        set
        {
            VerifyOpen();
            Socket.KeepAlive = value;
        }
    }

    protected override string LogSystem =>
        _connector is null ? $"{Protocol.LogPrefix},{_sessionNumber},{_peer.Address}" : $"{Protocol.LogPrefix},client";

    protected override EndPoint LocalAddress => _local;

    protected override EndPoint PeerAddress => _peer;

    public IPEndPoint GetHost() => _local;

    public IPEndPoint GetPeer() => _peer;

    public void LoseWriteConnection() => LoseWriteConnectionCore();

    protected override void OnClosed(Failure reason)
    {
        _port?.ConnectionClosed();
        _connector?.OnConnectionLost(this, reason);
    }

    public override string ToString() =>
        _port is not null ? $"<{Protocol.GetType().Name} #{_sessionNumber} on {_port.PortNumber}>"
        : _connector is not null ? $"<{Protocol.GetType().Name} to {_peer}>"
        : $"<{Protocol.GetType().Name} adopted, from {_peer}>";
}
