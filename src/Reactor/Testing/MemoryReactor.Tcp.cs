using System.Net;
using Reactor.Internal.Resolve;

namespace Reactor.Testing;

/// <summary>
/// The TCP part of <see cref="MemoryReactor"/>: <see cref="ListenTcp"/> and <see cref="ConnectTcp"/> record the call and
/// open nothing; the test plays the network with <see cref="TcpListenCall.Accept"/>, <see cref="MemoryConnector.Complete"/>
/// and <see cref="MemoryConnector.Fail"/>, each connection on a <see cref="FakeStreamTransport"/>.
/// </summary>
public sealed partial class MemoryReactor
{
    private readonly List<TcpListenCall> _tcpServers = [];
    private readonly List<TcpConnectCall> _tcpClients = [];
    private readonly List<FakeStreamTransport> _streams = [];

    /// <summary>Every <see cref="ListenTcp"/> call, in order (Twisted's <c>tcpServers</c>).</summary>
    public IReadOnlyList<TcpListenCall> TcpServers => _tcpServers;

    /// <summary>Every <see cref="ConnectTcp"/> call, in order (Twisted's <c>tcpClients</c>).</summary>
    public IReadOnlyList<TcpConnectCall> TcpClients => _tcpClients;

    /// <summary>
    /// Every connection made on this reactor (by <see cref="TcpListenCall.Accept"/> or <see cref="MemoryConnector.Complete"/>)
    /// that has not closed yet, oldest first.
    /// </summary>
    public IReadOnlyList<FakeStreamTransport> OpenConnections
    {
        get
        {
            _streams.RemoveAll(static s => s.Closed);
            return _streams;
        }
    }

    /// <summary>
    /// Records the call in <see cref="TcpServers"/>, starts the factory, and returns a port that listens on nothing:
    /// play a client connecting with the record's <see cref="TcpListenCall.Accept"/>.
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

        var listening = new MemoryListeningPort(this, new IPEndPoint(address, port == 0 ? NextPort() : port), factory);
        factory.DoStart();
        _tcpServers.Add(new TcpListenCall(port, factory, backlog, @interface, listening));
        return listening;
    }

    /// <summary>
    /// Records the call in <see cref="TcpClients"/> and returns a connector that stays connecting (its factory has
    /// started and its <see cref="ClientFactory.StartedConnecting"/> has run): play the attempt's outcome with
    /// <see cref="MemoryConnector.Complete"/> or <see cref="MemoryConnector.Fail"/>. Nothing is resolved and the timeout is
    /// recorded, not enforced.
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
        var connector = new MemoryConnector(this, destination, factory, bindAddress);
        _tcpClients.Add(new TcpConnectCall(host, port, factory, limit, bindAddress, connector));
        connector.Connect();
        return connector;
    }

    /// <summary>A port number for something that asked for 0 (from 49152 up).</summary>
    internal int NextPort() => _nextPort++;

    /// <summary>Attaches <paramref name="protocol"/> to <paramref name="transport"/> and counts it among <see cref="OpenConnections"/>.</summary>
    internal FakeStreamTransport Open(FakeStreamTransport transport, Protocol protocol)
    {
        _streams.Add(transport);
        return transport.Attach(protocol);
    }

    /// <summary>One turn of the loop for every open connection (<see cref="FakeStreamTransport.Pump"/>).</summary>
    private void PumpConnections()
    {
        foreach (var transport in OpenConnections.ToArray())
        {
            transport.Pump();
        }
    }

    private void StopTcp()
    {
        foreach (var call in _tcpServers)
        {
            call.ListeningPort.StopListening();
        }

        // A real reactor's shutdown loses every connection still open.
        foreach (var transport in OpenConnections.ToArray())
        {
            transport.CloseForShutdown();
        }

        _streams.Clear();
    }
}
