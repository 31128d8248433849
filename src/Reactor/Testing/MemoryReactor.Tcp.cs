using System.Net;
using Reactor.Internal.Resolve;

namespace Reactor.Testing;

/// <summary>The TCP part of <see cref="MemoryReactor"/>: <see cref="ListenTcp"/> and <see cref="ConnectTcp"/> record the call and open nothing.</summary>
public sealed partial class MemoryReactor
{
    private readonly List<TcpListenCall> _tcpServers = [];
    private readonly List<TcpConnectCall> _tcpClients = [];

    /// <summary>Every <see cref="ListenTcp"/> call, in order (Twisted's <c>tcpServers</c>).</summary>
    public IReadOnlyList<TcpListenCall> TcpServers => _tcpServers;

    /// <summary>Every <see cref="ConnectTcp"/> call, in order (Twisted's <c>tcpClients</c>).</summary>
    public IReadOnlyList<TcpConnectCall> TcpClients => _tcpClients;

    /// <summary>
    /// Records the call in <see cref="TcpServers"/>, starts the factory, and returns a port that accepts nothing: build
    /// protocols with the recorded factory and connect them to a <c>FakeStreamTransport</c> to test them.
    /// </summary>
    /// <inheritdoc cref="IReactorTcp.ListenTcp"/>
    public ITcpPort ListenTcp(int port, Factory factory, int backlog = 50, string @interface = "")
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(@interface);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        IPAddress address;
        if (@interface.Length == 0)
        {
            address = IPAddress.Any;
        }
        else if (!IPLiteral.TryParse(@interface, out address!))
        {
            throw new InvalidAddressException(@interface, "not an IPv4 or IPv6 address.");
        }

        var listening = new MemoryListeningPort(new IPEndPoint(address, port == 0 ? _nextPort++ : port), factory);
        factory.DoStart();
        _tcpServers.Add(new TcpListenCall(port, factory, backlog, @interface, listening));
        return listening;
    }

    /// <summary>
    /// Records the call in <see cref="TcpClients"/> and returns a connector that stays connecting (its factory's
    /// <see cref="ClientFactory.StartedConnecting"/> has run): complete the attempt in the test with
    /// <see cref="MemoryConnector.Establish"/> (and end it with <see cref="MemoryConnector.Lose"/>), or fail it with
    /// <see cref="MemoryConnector.Fail"/>.
    /// </summary>
    /// <inheritdoc cref="IReactorTcp.ConnectTcp"/>
    public IConnector ConnectTcp(string host, int port, ClientFactory factory, TimeSpan? timeout = null, IPEndPoint? bindAddress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        EndPoint destination = IPLiteral.TryParse(host, out var literal) ? new IPEndPoint(literal, port) : new DnsEndPoint(host, port);
        var connector = new MemoryConnector(destination, factory, this);
        _tcpClients.Add(new TcpConnectCall(host, port, factory, limit, bindAddress, connector));
        connector.Connect();
        return connector;
    }

    private void StopTcpPorts()
    {
        foreach (var call in _tcpServers)
        {
            call.ListeningPort.StopListening();
        }
    }
}
