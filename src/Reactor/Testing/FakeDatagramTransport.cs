using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Reactor.Internal;
using Reactor.Internal.Udp;
using Reactor.Internal.Resolve;

namespace Reactor.Testing;

/// <summary>
/// A UDP transport for unit tests, with no socket behind it (Twisted's <c>proto_helpers.FakeDatagramTransport</c>, made
/// a full <see cref="IMulticastTransport"/>): it records every datagram the protocol writes, and the test plays the
/// network — it delivers datagrams with <see cref="Receive"/>, ICMP refusals with <see cref="RefuseConnection"/> and a
/// full send buffer with <see cref="PauseWriting"/>.
/// </summary>
/// <remarks>
/// <para>Everything happens synchronously on the calling thread: <see cref="Attach"/> runs
/// <see cref="DatagramProtocol.StartProtocol"/>, <see cref="Receive"/> runs <see cref="DatagramProtocol.DatagramReceived"/>,
/// <see cref="StopListening"/> runs <see cref="DatagramProtocol.StopProtocol"/>, before they return. An exception the
/// protocol throws reaches the test (a real port logs it and goes on).</para>
/// <para>The arguments are checked as a real port checks them (a datagram too long, a destination of the wrong family, a
/// write on a closed port, ...), with the same exceptions. Multicast calls change only this object's state
/// (<see cref="Groups"/>, <see cref="Ttl"/>, ...): their Deferreds have fired when they return, and a group or interface
/// given as a hostname is taken as it is, not resolved.</para>
/// <para>Not thread-safe, like the reactor: use it from the test's thread.</para>
/// </remarks>
/// <example>
/// <code>
/// var transport = new FakeDatagramTransport();
/// transport.Attach(new Echo());
/// transport.Receive("ping"u8, new IPEndPoint(IPAddress.Loopback, 5000));
/// // transport.Written[0].Data is "ping", transport.Written[0].Destination is 127.0.0.1:5000
/// </code>
/// </example>
public sealed class FakeDatagramTransport : IMulticastTransport
{
    private readonly List<SentDatagram> _written = [];
    private readonly List<MulticastMembership> _groups = [];
    private DatagramProtocol? _protocol;
    private Deferred<object?>? _stopped;
    private IPEndPoint? _peer;
    private readonly IPEndPoint _host;
    private int _ttl = 1;

    /// <summary>Creates a transport bound (in name only) to <paramref name="host"/>.</summary>
    /// <param name="host">What <see cref="GetHost"/> answers; <c>null</c> for <c>0.0.0.0:0</c>. Its family is the port's family.</param>
    /// <param name="maxPacketSize">The largest datagram <see cref="Receive"/> delivers, as given to <c>ListenUdp</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPacketSize"/> is outside 0–65535.</exception>
    public FakeDatagramTransport(IPEndPoint? host = null, int maxPacketSize = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPacketSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketSize, 65_535);
        _host = host ?? new IPEndPoint(IPAddress.Any, 0);
        MaxPacketSize = maxPacketSize;
        OutgoingInterface = IsIPv6 ? "::" : "0.0.0.0";
    }

    /// <summary>The protocol attached with <see cref="Attach"/>, or <c>null</c>.</summary>
    public DatagramProtocol? Protocol => _protocol;

    /// <summary>Every datagram written, in order: a copy of its bytes and where it went (the peer, on a connected transport).</summary>
    public IReadOnlyList<SentDatagram> Written => _written;

    /// <summary>The multicast memberships held now, in the order they were joined; a leave removes one.</summary>
    public IReadOnlyList<MulticastMembership> Groups => _groups;

    /// <summary>Whether the transport has stopped listening (<see cref="StopListening"/>).</summary>
    public bool Closed { get; private set; }

    /// <summary>Whether <see cref="PauseWriting"/> is in force: the protocol was told the send buffer is full.</summary>
    public bool WritingPaused { get; private set; }

    /// <summary>How many datagrams <see cref="Receive"/> did not deliver: longer than <see cref="MaxPacketSize"/>, or not from the connected peer.</summary>
    public int DroppedDatagrams { get; private set; }

    /// <inheritdoc/>
    public int MaxPacketSize { get; }

    /// <inheritdoc/>
    public bool BroadcastAllowed { get; set; }

    /// <inheritdoc/>
    public int Ttl
    {
        get => _ttl;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 255);
            _ttl = value;
        }
    }

    /// <inheritdoc/>
    public bool LoopbackMode { get; set; } = true;

    /// <inheritdoc/>
    public string OutgoingInterface { get; private set; }

    private bool IsIPv6 => _host.AddressFamily == AddressFamily.InterNetworkV6;

    private int MaxDatagram => UdpWriteRules.MaxDatagram(_host.AddressFamily);

    /// <summary>
    /// Connects <paramref name="protocol"/> to this transport, as listening does: sets its
    /// <see cref="DatagramProtocol.Transport"/> and runs <see cref="DatagramProtocol.StartProtocol"/>.
    /// </summary>
    /// <param name="protocol">The protocol under test.</param>
    /// <returns>This transport, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A protocol is already attached, the transport is closed, or the protocol is listening elsewhere.</exception>
    public FakeDatagramTransport Attach(DatagramProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (_protocol is not null || Closed)
        {
            throw new InvalidOperationException("This FakeDatagramTransport already has a protocol (or has closed); create a new one.");
        }

        protocol.Attach(this);
        _protocol = protocol;
        protocol.StartProtocol();

        return this;
    }

    /// <summary>
    /// Delivers a datagram to the protocol's <see cref="DatagramProtocol.DatagramReceived"/>, as if it arrived from
    /// <paramref name="sender"/>. Like a real port it drops (and counts in <see cref="DroppedDatagrams"/>) a datagram longer
    /// than <see cref="MaxPacketSize"/>, and, once connected, one from anyone but the peer.
    /// </summary>
    /// <param name="datagram">The payload.</param>
    /// <param name="sender">Who sent it.</param>
    /// <returns><c>true</c> when the protocol was called.</returns>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the transport is closed.</exception>
    public bool Receive(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var protocol = VerifyAttached();
        if (datagram.Length > MaxPacketSize || (_peer is not null && !_peer.Equals(sender)))
        {
            DroppedDatagrams++;
            return false;
        }

        protocol.DatagramReceived(datagram, sender);
        return true;
    }

    /// <summary>
    /// Reports an ICMP "port unreachable" for an earlier write: on a connected transport the protocol's
    /// <see cref="DatagramProtocol.ConnectionRefused"/> runs; on an unconnected one nothing happens, as with a real port.
    /// </summary>
    /// <returns><c>true</c> when the protocol was called.</returns>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the transport is closed.</exception>
    public bool RefuseConnection()
    {
        var protocol = VerifyAttached();
        if (_peer is null)
        {
            return false;
        }

        protocol.ConnectionRefused();
        return true;
    }

    /// <summary>Plays a full send buffer: calls the protocol's <see cref="DatagramProtocol.PauseWriting"/> (once, until <see cref="ResumeWriting"/>). Writes are still recorded.</summary>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the transport is closed.</exception>
    public void PauseWriting()
    {
        var protocol = VerifyAttached();
        if (!WritingPaused)
        {
            WritingPaused = true;
            protocol.PauseWriting();
        }
    }

    /// <summary>Plays the send buffer draining: calls the protocol's <see cref="DatagramProtocol.ResumeWriting"/> if writing was paused.</summary>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the transport is closed.</exception>
    public void ResumeWriting()
    {
        var protocol = VerifyAttached();
        if (WritingPaused)
        {
            WritingPaused = false;
            protocol.ResumeWriting();
        }
    }

    /// <summary>Forgets the datagrams recorded so far in <see cref="Written"/>.</summary>
    public void ClearWritten() => _written.Clear();

    /// <inheritdoc/>
    public IPEndPoint GetHost() => _host;

    EndPoint IListeningPort.GetHost() => _host;

    /// <inheritdoc/>
    public IPEndPoint? GetPeer() => _peer;

    /// <inheritdoc/>
    [SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "Twisted's write(datagram, addr=None): the other overloads take the destination in another form, not more options.")]
    public void Write(ReadOnlySpan<byte> datagram, IPEndPoint? destination = null)
    {
        VerifyOpen();
        var to = CheckDestination(destination);
        if (datagram.Length > MaxDatagram)
        {
            throw new MessageLengthException(datagram.Length, MaxDatagram);
        }

        _written.Add(new SentDatagram(datagram.ToArray(), to));
    }

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> datagram, string host, int port)
    {
        VerifyOpen();
        Write(datagram, UdpWriteRules.ParseDestination(host, port));
    }

    /// <inheritdoc/>
    public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> parts, IPEndPoint? destination = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var buffer = new List<byte>();
        foreach (var part in parts)
        {
            buffer.AddRange(part.Span);
        }

        Write(buffer.ToArray(), destination);
    }

    /// <inheritdoc/>
    public void Connect(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        VerifyOpen();
        _peer = UdpWriteRules.CheckConnect(_host.AddressFamily, _peer, host, port);
    }

    /// <summary>
    /// Stops listening at once (a real port closes on the next iteration): the protocol's
    /// <see cref="DatagramProtocol.StopProtocol"/> runs, its <see cref="DatagramProtocol.Transport"/> becomes <c>null</c>,
    /// and the returned Deferred has fired. Every call returns the same Deferred.
    /// </summary>
    /// <returns>A fired Deferred.</returns>
    public Deferred<object?> StopListening()
    {
        if (_stopped is not null)
        {
            return _stopped;
        }

        _stopped = new Deferred<object?>();
        Closed = true;
        if (_protocol is { } protocol)
        {
            protocol.Detach();
            protocol.StopProtocol();
        }

        _stopped.Callback(null);
        return _stopped;
    }

    /// <inheritdoc/>
    public Deferred<object?> SetOutgoingInterface(string @interface)
    {
        ArgumentNullException.ThrowIfNull(@interface);
        VerifyOpen();
        OutgoingInterface = @interface;
        return Deferred.Succeed<object?>(null);
    }

    /// <inheritdoc/>
    public Deferred<object?> JoinGroup(string group, string @interface = "") => Join("join", group, null, @interface);

    /// <inheritdoc/>
    public Deferred<object?> LeaveGroup(string group, string @interface = "") => Leave("leave", group, null, @interface);

    /// <inheritdoc/>
    public Deferred<object?> JoinSourceGroup(string group, string source, string @interface = "")
    {
        ArgumentNullException.ThrowIfNull(source);
        return Join("join", group, source, @interface);
    }

    /// <inheritdoc/>
    public Deferred<object?> LeaveSourceGroup(string group, string source, string @interface = "")
    {
        ArgumentNullException.ThrowIfNull(source);
        return Leave("leave", group, source, @interface);
    }

    /// <inheritdoc/>
    public override string ToString() => $"<FakeDatagramTransport {_host}{(Closed ? " (closed)" : "")}>";

    private Deferred<object?> Join(string operation, string group, string? source, string @interface)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(@interface);
        VerifyOpen();
        if (IPLiteral.TryParse(group, out var address) && !UdpWriteRules.IsMulticast(address))
        {
            return Deferred.Fail<object?>(new MulticastJoinException(operation, group, @interface, source, SocketError.InvalidArgument, "not a multicast address"));
        }

        var membership = new MulticastMembership(group, @interface, source);
        if (_groups.Contains(membership))
        {
            return Deferred.Fail<object?>(new MulticastJoinException(operation, group, @interface, source, SocketError.AddressAlreadyInUse));
        }

        _groups.Add(membership);
        return Deferred.Succeed<object?>(null);
    }

    private Deferred<object?> Leave(string operation, string group, string? source, string @interface)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(@interface);
        VerifyOpen();
        return _groups.Remove(new MulticastMembership(group, @interface, source))
            ? Deferred.Succeed<object?>(null)
            : Deferred.Fail<object?>(new MulticastJoinException(operation, group, @interface, source, SocketError.AddressNotAvailable, "not a member"));
    }

    private IPEndPoint CheckDestination(IPEndPoint? destination)
    {
        var to = UdpWriteRules.CheckDestination(_host.AddressFamily, _peer, destination) ?? _peer!;
        if (!BroadcastAllowed && to.Address.Equals(IPAddress.Broadcast))
        {
            // What the kernel answers (EACCES) for a broadcast without SO_BROADCAST.
            throw new SocketException((int)SocketError.AccessDenied);
        }

        return to;
    }

    private void VerifyOpen()
    {
        if (Closed)
        {
            throw new InvalidOperationException($"UDP port {_host.Port} is closed: it was stopped.");
        }
    }

    private DatagramProtocol VerifyAttached()
    {
        VerifyOpen();
        return _protocol ?? throw new InvalidOperationException("No protocol is attached: call Attach(protocol) first.");
    }
}
