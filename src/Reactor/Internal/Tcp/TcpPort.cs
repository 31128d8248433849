using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Resolve;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Tcp;

/// <summary>
/// A listening TCP port: TCP's own part of <see cref="StreamListener"/> — validate the arguments before any socket exists
/// (D24, D25), bind with SO_REUSEADDR and dual-stack <c>::</c> (D30, D31), and make a <see cref="TcpConnection"/> with
/// TCP_NODELAY on (D31) for each accepted connection. Specified by <c>tests/Reactor.Tests/Tcp/</c>.
/// </summary>
internal sealed class TcpPort : StreamListener, ITcpPort
{
    private readonly IPEndPoint _local;
    private readonly bool _wildcard;

    private TcpPort(ReactorBase reactor, IListenSocket socket, Factory factory, IPEndPoint local)
        : base(reactor, socket, factory)
    {
        _local = local;
        _wildcard = local.Address.Equals(IPAddress.Any) || local.Address.Equals(IPAddress.IPv6Any);
    }

    internal int PortNumber => _local.Port;

    protected override string LogName => $"TCP port {_local.Port}";

    protected override string Address => _local.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected override void LogStarted() => StreamLog.PortStarted(Logger, Factory.LogPrefix, _local.Port);

    protected override void LogClosed() => StreamLog.PortClosed(Logger, _local.Port);

    /// <summary>The body of <c>ListenTcp</c>.</summary>
    internal static TcpPort Listen(ReactorBase reactor, int port, Factory factory, int backlog, string @interface, bool reusePort = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(@interface);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        reactor.VerifyAccess();

        IPAddress address;
        if (@interface.Length == 0)
        {
            address = IPAddress.Any;
        }
        else if (!IPLiteral.TryParse(@interface, out address!))
        {
            throw new InvalidAddressException(@interface, "not an IPv4 or IPv6 address.");
        }

        IListenSocket socket;
        try
        {
            socket = reactor.Sockets.CreateListenSocket(address.AddressFamily);
        }
        catch (SocketException e)
        {
            throw new CannotListenException(@interface, port, e.SocketErrorCode, e);
        }

        IPEndPoint local;
        try
        {
            var error = socket.Bind(new IPEndPoint(address, port), reusePort);
            if (error == SocketError.Success)
            {
                error = socket.Listen(backlog);
            }

            if (error != SocketError.Success)
            {
                // Twisted leaves this socket to the garbage collector (#6108); it is closed here.
                throw new CannotListenException(@interface, port, error);
            }

            local = (IPEndPoint)socket.GetLocalEndPoint();
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var tcpPort = new TcpPort(reactor, socket, factory, local);
        tcpPort.StartListening();
        return tcpPort;
    }

    /// <summary>A listening socket handed over by someone else (<c>AdoptStreamPort</c>, systemd): its address is read back.</summary>
    internal static TcpPort Adopt(ReactorBase reactor, IListenSocket socket, Factory factory)
    {
        var local = (IPEndPoint)socket.GetLocalEndPoint();
        var port = new TcpPort(reactor, socket, factory, local);
        port.StartListening();
        return port;
    }

    public IPEndPoint GetHost() => _local;

    EndPoint IListeningPort.GetHost() => _local;

    protected override StreamConnection CreateConnection(IStreamSocket socket, EndPoint peer, Protocol protocol, int sessionNumber)
    {
        if (Reactor.Options.Tcp.NoDelay)
        {
            TrySetNoDelay(socket);
        }

        // A port bound to one address accepts on that address only; a wildcard one asks the kernel which it was.
        var local = _wildcard ? (IPEndPoint)socket.GetLocalEndPoint() : _local;
        return new TcpConnection(Reactor, socket, protocol, local, (IPEndPoint)peer, this, sessionNumber);
    }

    /// <summary>Sets TCP_NODELAY; a connection the peer already reset refuses it, and then fails its first read instead.</summary>
    internal static void TrySetNoDelay(IStreamSocket socket)
    {
        try
        {
            socket.NoDelay = true;
        }
        catch (SocketException)
        {
        }
    }
}
