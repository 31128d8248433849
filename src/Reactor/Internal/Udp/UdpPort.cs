using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reactor.Internal.Resolve;

namespace Reactor.Internal.Udp;

/// <summary>
/// A listening UDP port: the whole lifecycle in one place, readable top to bottom — listen (validate, bind, start the
/// protocol), read (drain within a budget, dispatch), write (validate, send, queue when the kernel is full), connect, stop
/// (close on a later iteration, stop the protocol, fire the Deferred). Behaviour follows Twisted's <c>udp.Port</c> with the
/// reference's Project decisions, named where they apply (D1–D8).
/// </summary>
internal class UdpPort : IUdpTransport, IDatagramSocketHandler, IDatagramSink, IOpenResource
{
    private readonly DatagramProtocol _protocol;
    private readonly IDatagramSocket _socket;
    private readonly PendingWrites _pendingWrites;
    private readonly string _system;
    private State _state = State.Listening;
    private Deferred<object?>? _stopped;
    private IPEndPoint _local;
    private IPEndPoint? _connected;
    private bool _refusalScheduled;
    private bool _writingPaused;

    protected UdpPort(ReactorBase reactor, DatagramProtocol protocol, IDatagramSocket socket, IPEndPoint local, string @interface, int maxPacketSize)
    {
        Reactor = reactor;
        _protocol = protocol;
        _socket = socket;
        _local = local;
        Interface = @interface;
        MaxPacketSize = maxPacketSize;
        Logger = reactor.LoggerFactory.CreateLogger(UdpLog.Category);
        var options = reactor.Options;
        _pendingWrites = new PendingWrites(options.Udp.MaxPendingWrites, options.Udp.MaxPendingWriteBytes);
        _system = $"{protocol.LogPrefix} (UDP)";
    }

    private enum State
    {
        Listening,
        Stopping,
        Closed,
    }

    public int MaxPacketSize { get; }

    public bool BroadcastAllowed
    {
        get
        {
            VerifyOpen();
            return _socket.Broadcast;
        }

        set
        {
            VerifyOpen();
            _socket.Broadcast = value;
        }
    }

    /// <summary>The port number actually bound.</summary>
    internal int PortNumber => _local.Port;

    /// <summary>The interface literal the port was bound with.</summary>
    internal string Interface { get; }

    internal UdpPortCounters Counters { get; } = new();

    /// <summary>How many datagrams wait in the pending-write queue (read by the metrics, from any thread).</summary>
    internal int PendingWriteCount => _pendingWrites.Count;

    internal bool IsClosed => _state == State.Closed;

    protected ReactorBase Reactor { get; }

    protected ILogger Logger { get; }

    /// <summary>The backend socket (tests reach below it, e.g. to script faults).</summary>
    protected internal IDatagramSocket Socket => _socket;

    private int MaxDatagram => UdpWriteRules.MaxDatagram(_socket.AddressFamily);

    // ---- Listen ---------------------------------------------------------------------------------------------------

    /// <summary>Validates the arguments, binds a socket and starts the protocol: the body of <c>ListenUdp</c>.</summary>
    internal static UdpPort Listen(ReactorBase reactor, int port, DatagramProtocol protocol, string @interface, int maxPacketSize, bool reuse = false)
    {
        var (socket, local) = BindDatagramSocket(reactor, port, protocol, @interface, maxPacketSize, reuse);
        var udpPort = new UdpPort(reactor, protocol, socket, local, @interface, maxPacketSize);
        udpPort.Start();
        return udpPort;
    }

    /// <summary>A bound UDP socket handed over by someone else (<c>AdoptDatagramPort</c>, systemd): its address is read back.</summary>
    internal static UdpPort Adopt(ReactorBase reactor, IDatagramSocket socket, DatagramProtocol protocol, int maxPacketSize)
    {
        var local = socket.GetLocalEndPoint();
        socket.ReceiveBufferSize = maxPacketSize;
        socket.SetBufferSizes(reactor.Options.SocketReceiveBufferSize, reactor.Options.SocketSendBufferSize);
        var udpPort = new UdpPort(reactor, protocol, socket, local, local.Address.ToString(), maxPacketSize);
        udpPort.Start();
        return udpPort;
    }

    /// <summary>
    /// What every kind of UDP port does before it exists: validate the arguments (before any socket exists, as Twisted
    /// does), then make and bind a socket. The caller constructs its port over the result and calls <see cref="Start"/>.
    /// </summary>
    protected static (IDatagramSocket Socket, IPEndPoint Local) BindDatagramSocket(
        ReactorBase reactor, int port, DatagramProtocol protocol, string @interface, int maxPacketSize, bool reuse)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(@interface);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPacketSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketSize, 65_535);
        reactor.VerifyAccess();

        // "" is IPv4's wildcard.
        IPAddress bindAddress;
        if (@interface.Length == 0)
        {
            bindAddress = IPAddress.Any;
        }
        else if (!IPLiteral.TryParse(@interface, out bindAddress!))
        {
            throw new InvalidAddressException(@interface, "not an IPv4 or IPv6 address.");
        }

        protocol.VerifyCanAttach();
        IDatagramSocket socket;
        try
        {
            socket = reactor.Sockets.CreateDatagramSocket(bindAddress.AddressFamily);
        }
        catch (SocketException e)
        {
            throw new CannotListenException(@interface, port, e.SocketErrorCode, e);
        }

        try
        {
            var error = socket.Bind(new IPEndPoint(bindAddress, port), reuse);
            if (error != SocketError.Success)
            {
                throw new CannotListenException(@interface, port, error);
            }

            var local = socket.GetLocalEndPoint();
            socket.ReceiveBufferSize = maxPacketSize;
            socket.SetBufferSizes(reactor.Options.SocketReceiveBufferSize, reactor.Options.SocketSendBufferSize);
            return (socket, local);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens the bound port: logs, attaches and starts the protocol, then reads.</summary>
    protected void Start()
    {
        UdpLog.PortStarted(Logger, _protocol.LogPrefix, PortNumber);
        Reactor.TrackOpen(this);
        UdpMetrics.PortOpened(this);
        _protocol.Attach(this);
        if (_protocol.Noisy)
        {
            UdpLog.ProtocolStarting(Logger, _protocol);
        }

        try
        {
            _protocol.StartProtocol();
        }
        catch (Exception e)
        {
            UdpLog.ProtocolCallbackFailed(Logger, _system, nameof(DatagramProtocol.StartProtocol), e);
        }

        // StartProtocol may already have stopped the port.
        if (_state == State.Listening)
        {
            _socket.StartReading(this);
        }
    }

    public IPEndPoint GetHost() => _local;

    EndPoint IListeningPort.GetHost() => _local;

    public IPEndPoint? GetPeer() => _connected;

    // ---- Read -----------------------------------------------------------------------------------------------------

    void IDatagramSocketHandler.OnReadable()
    {
        if (_state == State.Closed)
        {
            return;
        }

        // D1: drain until the socket is empty or the per-wake budget is spent (level-triggered: the rest is read on the
        // next iteration, after timers and other sockets have had their turn).
        var options = Reactor.Options;
        _socket.Receive(this, options.Udp.ReadBudgetDatagrams, options.Udp.ReadBudgetBytes, out var error);

        // The replies written while the batch was dispatched leave together (IDatagramSocket.Send's IOPending).
        _socket.FlushCoalesced();
        switch (UdpErrors.Classify(error, UdpOperation.Receive))
        {
            case UdpErrorKind.Ignore:
                break;
            case UdpErrorKind.Refused:
                // An unconnected port's read just ends (Twisted's test_readImmediateError).
                Refused(UdpOperation.Receive);
                break;
            default:
                Counters.ReceiveErrors++;
                UdpLog.ReceiveFailed(Logger, PortNumber, error);
                break;
        }
    }

    void IDatagramSink.OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        if (_state == State.Closed)
        {
            return;
        }

        Counters.DatagramsReceived++;
        Counters.BytesReceived += datagram.Length;
        try
        {
            _protocol.DatagramReceived(datagram, sender);
        }
        catch (Exception e)
        {
            // Twisted logs and goes on with the next datagram; the port stays open (test_datagramReceivedError).
            UdpLog.ProtocolCallbackFailed(Logger, _system, nameof(DatagramProtocol.DatagramReceived), e);
        }
    }

    void IDatagramSink.OnTruncated(IPEndPoint sender)
    {
        // D7: never deliver a datagram cut short.
        var total = ++Counters.DroppedTruncated;
        if (DropLogging.ShouldLog(total))
        {
            UdpLog.TruncatedDatagramDropped(Logger, sender, PortNumber, MaxPacketSize, total);
        }
    }

    // ---- Write ----------------------------------------------------------------------------------------------------

    public void Write(ReadOnlySpan<byte> datagram, IPEndPoint? destination = null)
    {
        VerifyOpen();
        var to = UdpWriteRules.CheckDestination(_socket.AddressFamily, _connected, destination);
        if (datagram.Length > MaxDatagram)
        {
            throw new MessageLengthException(datagram.Length, MaxDatagram);
        }

        if (_pendingWrites.Count > 0)
        {
            // Keep write order: once anything is queued, everything queues behind it.
            Enqueue(datagram, to);
            return;
        }

        Send(datagram, to, fromQueue: false);
    }

    public void Write(ReadOnlySpan<byte> datagram, string host, int port)
    {
        VerifyOpen();
        Write(datagram, UdpWriteRules.ParseDestination(host, port));
    }

    public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> parts, IPEndPoint? destination = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        VerifyOpen();
        var length = 0L;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        if (length > MaxDatagram)
        {
            throw new MessageLengthException((int)Math.Min(length, int.MaxValue), MaxDatagram);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        try
        {
            var offset = 0;
            foreach (var part in parts)
            {
                part.Span.CopyTo(buffer.AsSpan(offset));
                offset += part.Length;
            }

            Write(buffer.AsSpan(0, offset), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sends now, or hands the datagram to the socket's coalescing batch; on a full send buffer queues. Returns
    /// <c>false</c> when the datagram must stay queued.
    /// </summary>
    private bool Send(ReadOnlySpan<byte> datagram, IPEndPoint? to, bool fromQueue)
    {
        var error = _socket.Send(datagram, to);
        if (error == SocketError.Success)
        {
            Counters.DatagramsSent++;
            Counters.BytesSent += datagram.Length;
            return true;
        }

        if (error == SocketError.IOPending)
        {
            // Held for the next FlushCoalesced: counted when the kernel takes it (OnCoalescedSent), or dropped.
            return true;
        }

        var operation = fromQueue ? UdpOperation.DeferredSend : UdpOperation.Send;
        switch (UdpErrors.Classify(error, operation))
        {
            case UdpErrorKind.Transient:
                // D8: queue and send when writable.
                if (!fromQueue)
                {
                    Enqueue(datagram, to);
                }

                return false;
            case UdpErrorKind.Refused:
                // An ICMP error from an earlier datagram surfaced on this send; this one was not sent.
                Refused(operation);
                return true;
            case UdpErrorKind.CallerError:
                // The call was wrong (e.g. broadcast without SO_BROADCAST): tell the caller.
                throw error == SocketError.MessageSize ? new MessageLengthException(datagram.Length) : new SocketException((int)error);
            default:
                Dropped(error, to);
                return true;
        }
    }

    private void Enqueue(ReadOnlySpan<byte> datagram, IPEndPoint? to)
    {
        if (!_pendingWrites.TryEnqueue(datagram, to))
        {
            var total = ++Counters.DroppedQueueFull;
            if (DropLogging.ShouldLog(total))
            {
                UdpLog.QueueFullDatagramDropped(Logger, PortNumber, total);
            }

            return;
        }

        Counters.PendingWritesHighWater = Math.Max(Counters.PendingWritesHighWater, _pendingWrites.Count);
        if (_pendingWrites.Count == 1)
        {
            _socket.SetWantWritable(true);
            if (!_writingPaused)
            {
                _writingPaused = true;
                CallProtocol(nameof(DatagramProtocol.PauseWriting), static p => p.PauseWriting());
            }
        }
    }

    void IDatagramSocketHandler.OnWritable()
    {
        if (_state == State.Closed)
        {
            return;
        }

        if (!FlushPendingWrites())
        {
            return;
        }

        _socket.SetWantWritable(false);
        if (_writingPaused)
        {
            _writingPaused = false;
            CallProtocol(nameof(DatagramProtocol.ResumeWriting), static p => p.ResumeWriting());
        }
    }

    void IDatagramSocketHandler.OnCoalescedSent(int datagrams, long bytes)
    {
        Counters.DatagramsSent += datagrams;
        Counters.BytesSent += bytes;
    }

    void IDatagramSocketHandler.OnSendFailed(SocketError error)
    {
        if (UdpErrors.Classify(error, UdpOperation.DeferredSend) == UdpErrorKind.Refused)
        {
            Refused(UdpOperation.DeferredSend);
            return;
        }

        Dropped(error, to: null);
    }

    /// <summary>Counts and (rate-limited) logs a datagram the kernel refused; <paramref name="to"/> is null for the connected peer or when the socket sent it later.</summary>
    private void Dropped(SocketError error, IPEndPoint? to)
    {
        var total = ++Counters.DroppedSendError;
        if (DropLogging.ShouldLog(total))
        {
            UdpLog.SendFailedDatagramDropped(Logger, to?.ToString() ?? _connected?.ToString() ?? "a coalesced destination", PortNumber, error, total);
        }
    }

    /// <summary>Sends queued datagrams in order until the kernel is full again; <c>true</c> when the queue is empty.</summary>
    private bool FlushPendingWrites()
    {
        while (_pendingWrites.Count > 0)
        {
            var (datagram, to) = _pendingWrites.Peek();
            if (!Send(datagram.Span, to, fromQueue: true))
            {
                return false;
            }

            _pendingWrites.RemoveOldest();
        }

        return true;
    }

    // ---- Connect --------------------------------------------------------------------------------------------------

    public void Connect(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        VerifyOpen();
        var peer = UdpWriteRules.CheckConnect(_socket.AddressFamily, _connected, host, port);

        // D5: the port counts as connected only once the kernel agreed.
        var error = _socket.Connect(peer);
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }

        _connected = peer;
        _local = _socket.GetLocalEndPoint();
    }

    /// <summary>
    /// The refusal rule, for every way an ICMP error reaches the port: only a connected protocol hears it (Twisted
    /// swallows it on an unconnected port); from a read at once, and the port stays open (D2); from a send later, never
    /// inside <c>Write</c> (D3).
    /// </summary>
    private void Refused(UdpOperation operation)
    {
        if (_connected is null)
        {
            return;
        }

        if (operation == UdpOperation.Receive)
        {
            CallProtocol(nameof(DatagramProtocol.ConnectionRefused), static p => p.ConnectionRefused());
            return;
        }

        if (_refusalScheduled)
        {
            return;
        }

        _refusalScheduled = true;
        Reactor.CallLater(TimeSpan.Zero, () =>
        {
            _refusalScheduled = false;
            if (_state != State.Closed)
            {
                CallProtocol(nameof(DatagramProtocol.ConnectionRefused), static p => p.ConnectionRefused());
            }
        });
    }

    // ---- Stop -----------------------------------------------------------------------------------------------------

    public Deferred<object?> StopListening()
    {
        Reactor.VerifyAccess();
        if (_stopped is null)
        {
            _stopped = new Deferred<object?>();
            _stopped.SetOwner(Reactor);
            if (_state == State.Closed)
            {
                // Already closed by reactor shutdown: there is nothing left to wait for.
                _stopped.Callback(null);
                return _stopped;
            }
        }

        if (_state == State.Listening)
        {
            // D4: idempotent. Close on a later iteration so StopProtocol never runs inside this call
            // (Twisted's test_stopProtocolScheduling); datagrams of a batch already read are still delivered (D1).
            _state = State.Stopping;
            _socket.StopReading();
            Reactor.CallLater(TimeSpan.Zero, ConnectionLost);
        }

        return _stopped;
    }

    void IOpenResource.CloseForShutdown() => ConnectionLost();

    /// <summary>Closes the port now (Twisted's <c>connectionLost</c>): log, stop the protocol, close the socket, fire the Deferred.</summary>
    private void ConnectionLost()
    {
        if (_state == State.Closed)
        {
            return;
        }

        _state = State.Closed;
        Reactor.TrackClosed(this);
        UdpMetrics.PortClosed(this);
        UdpLog.PortClosed(Logger, PortNumber);

        // A last non-blocking attempt for queued datagrams; what the kernel still refuses is dropped, and said so.
        if (_pendingWrites.Count > 0 && !FlushPendingWrites())
        {
            var dropped = _pendingWrites.Clear();
            Counters.DroppedQueueFull += dropped;
            UdpLog.PendingWritesDroppedAtClose(Logger, PortNumber, dropped);
        }

        _protocol.Detach();
        if (_protocol.Noisy)
        {
            UdpLog.ProtocolStopping(Logger, _protocol);
        }

        CallProtocol(nameof(DatagramProtocol.StopProtocol), static p => p.StopProtocol());

        _socket.Dispose();
        _stopped?.Callback(null);
    }

    // ---- Helpers --------------------------------------------------------------------------------------------------

    /// <summary>Throws unless on the reactor thread and the port is still open.</summary>
    protected void VerifyOpen()
    {
        Reactor.VerifyAccess();
        if (_state == State.Closed)
        {
            throw new InvalidOperationException($"UDP port {PortNumber} is closed: it was stopped.");
        }
    }

    private void CallProtocol(string callback, Action<DatagramProtocol> call)
    {
        try
        {
            call(_protocol);
        }
        catch (Exception e)
        {
            UdpLog.ProtocolCallbackFailed(Logger, _system, callback, e);
        }
    }

    /// <summary>Rate limit for drop warnings: the first ten, then every power of two, so a flood cannot flood the log.</summary>

    public override string ToString() =>
        _state == State.Closed ? $"<{_protocol.GetType().Name} on {PortNumber} (closed)>" : $"<{_protocol.GetType().Name} on {PortNumber}>";
}
