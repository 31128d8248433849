using System.Net;
using System.Net.Sockets;

namespace Reactor.Testing;

/// <summary>
/// What <see cref="MemoryReactor.ListenTcp"/> returns: a port that listens on nothing. The test plays clients
/// connecting with <see cref="TcpListenCall.Accept"/>; stopping is immediate (its factory then stops).
/// </summary>
public sealed class MemoryListeningPort : ITcpPort
{
    private readonly MemoryReactor _reactor;
    private readonly IPEndPoint _host;
    private readonly Factory _factory;
    private Deferred<object?>? _stopped;

    internal MemoryListeningPort(MemoryReactor reactor, IPEndPoint host, Factory factory)
    {
        _reactor = reactor;
        _host = host;
        _factory = factory;
    }

    /// <summary>Whether <see cref="StopListening"/> has been called.</summary>
    public bool Stopped => _stopped is not null;

    /// <summary>How many connections <see cref="TcpListenCall.Accept"/> has made (refused ones not counted).</summary>
    public int Accepted { get; private set; }

    /// <inheritdoc/>
    public IPEndPoint GetHost() => _host;

    EndPoint IListeningPort.GetHost() => _host;

    /// <summary>Stops at once: the factory stops and the returned Deferred has fired. Connections already made stay open. Idempotent.</summary>
    /// <returns>The same fired Deferred on every call.</returns>
    public Deferred<object?> StopListening()
    {
        if (_stopped is null)
        {
            _stopped = new Deferred<object?>();
            _factory.DoStop();
            _stopped.Callback(null);
        }

        return _stopped;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<MemoryListeningPort {_host}{(Stopped ? " (stopped)" : "")}>";

    /// <summary>The body of <see cref="TcpListenCall.Accept"/>.</summary>
    internal FakeStreamTransport? Accept(IPEndPoint? peer)
    {
        if (Stopped)
        {
            throw new InvalidOperationException($"{this} has stopped listening: it accepts no more connections.");
        }

        var family = _host.AddressFamily;
        var client = peer ?? new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, _reactor.NextPort());
        if (client.AddressFamily != family)
        {
            if (family != AddressFamily.InterNetworkV6 || !_host.Address.Equals(IPAddress.IPv6Any))
            {
                throw new ArgumentException($"A {client.AddressFamily} client cannot connect to {_host}.", nameof(peer));
            }

            client = new IPEndPoint(client.Address.MapToIPv6(), client.Port);
        }

        var protocol = _factory.BuildProtocol(client);
        if (protocol is null)
        {
            return null;
        }

        // A port bound to a wildcard address accepts on a concrete one; the fake says loopback.
        var local = _host;
        if (_host.Address.Equals(IPAddress.Any))
        {
            local = new IPEndPoint(IPAddress.Loopback, _host.Port);
        }
        else if (_host.Address.Equals(IPAddress.IPv6Any))
        {
            local = new IPEndPoint(client.Address.IsIPv4MappedToIPv6 ? IPAddress.Loopback.MapToIPv6() : IPAddress.IPv6Loopback, _host.Port);
        }

        Accepted++;
        return _reactor.Open(new FakeStreamTransport(local, client), protocol);
    }
}
