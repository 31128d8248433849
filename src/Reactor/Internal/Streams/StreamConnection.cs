using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Streams;

/// <summary>
/// A connected stream socket as a transport: the lifecycle every stream connection shares (Twisted's
/// <c>abstract.FileDescriptor</c> and <c>tcp.Connection</c>, libuv's <c>stream.c</c>), readable top to bottom — start
/// (make the protocol's connection), read (a budget of 64 KiB reads dispatched inline), write (send at once or gather,
/// queue what the kernel cannot take, watermarks), producers, close (lose, abort, half-close, the peer's FIN), and the
/// one place a connection ends. TCP adds only its own part (<see cref="Tcp.TcpConnection"/>); UNIX sockets and TLS
/// will too. Specified by <c>tests/Reactor.Tests/Streams/</c>.
/// </summary>
/// <remarks>
/// <para>Reactor thread only. Nothing here calls back into the protocol from inside one of the protocol's own calls:
/// whatever a call sets in motion (a close, a flush, a loss) happens in the connection's <see cref="Service"/>, which the
/// <see cref="StreamLoop"/> runs when the current dispatch or callback ends (decisions D15, D28).</para>
/// <para>States: <c>Open</c> → <c>Closing</c> (LoseConnection, AbortConnection, the peer's FIN to a protocol that is
/// not half-closeable, an error: no more reads, no more writes accepted, the buffer drains unless aborting) →
/// <c>Closed</c> (socket closed, <see cref="Protocol.ConnectionLost"/> ran once).</para>
/// </remarks>
internal abstract class StreamConnection : ITransport, IReactorTransport, IStreamSocketHandler, IOpenResource, IStreamService
{
    private static readonly SendOrPostCallback AskPullProducerSoon = static state => ((StreamConnection)state!).AskPullProducer();

    private readonly IStreamSocket _socket;
    private readonly StreamLoop _loop;
    private readonly StreamCounters _counters;
    private Protocol _protocol;
    private WriteQueue _writes;
    private State _state;
    private bool _paused;
    private bool _readEnded;
    private bool _watchingWritable;
    private bool _writeShutdownRequested;
    private bool _writeShutdown;
    private Exception? _closeReason;
    private bool _closeWaitsForProducer;
    private bool _closeNow;
    private bool _abort;
    private IProducer? _producer;
    private bool _producerStreaming;
    private bool _producerPaused;
    private bool _askPullProducerScheduled;
    private int _highWatermark;
    private int _lowWatermark;

    protected StreamConnection(ReactorBase reactor, IStreamSocket socket, Protocol protocol)
    {
        Reactor = reactor;
        _socket = socket;
        _protocol = protocol;
        _loop = reactor.Streams;
        _counters = _loop.CountersFor(socket.AddressFamily);
        _highWatermark = reactor.Options.Tcp.HighWatermark;
        _lowWatermark = reactor.Options.Tcp.LowWatermark;
    }

    private enum State
    {
        Open,
        Closing,
        Closed,
    }

    /// <summary>Set by the <see cref="StreamLoop"/> while this connection waits for its <see cref="Service"/>.</summary>
    public bool ServiceRequested { get; set; }

    internal Protocol Protocol => _protocol;

    /// <summary>The counters this connection counts in (its kind: TCP over IPv4 or IPv6, UNIX); TLS above it counts there too.</summary>
    internal StreamCounters Counters => _counters;

    /// <summary>The reactor this connection runs on (layers above it, such as TLS, need its timers and loop).</summary>
    internal ReactorBase OwnerReactor => Reactor;

    /// <summary>
    /// Puts <paramref name="protocol"/> between this connection and its current protocol (<c>StartTls</c>): what arrives
    /// from now on goes to it. The caller reconnects the old protocol to the new layer.
    /// </summary>
    internal void ReplaceProtocol(Protocol protocol)
    {
        Reactor.VerifyAccess();
        _protocol = protocol;
    }

    internal bool IsClosed => _state == State.Closed;

    public bool Disconnecting => _state != State.Open;

    public long BufferedBytes => _writes.Length;

    public int HighWatermark
    {
        get => _highWatermark;
        set
        {
            Reactor.VerifyAccess();
            _highWatermark = TransportArguments.HighWatermark(value, _lowWatermark);
        }
    }

    public int LowWatermark
    {
        get => _lowWatermark;
        set
        {
            Reactor.VerifyAccess();
            _lowWatermark = TransportArguments.LowWatermark(value, _highWatermark);
        }
    }

    protected ReactorBase Reactor { get; }

    ReactorBase IReactorTransport.Reactor => Reactor;

    protected IStreamSocket Socket => _socket;

    /// <summary>Who this connection is in log messages (Twisted's <c>logPrefix</c>: <c>Echo,3,127.0.0.1</c>). Built when logging only.</summary>
    protected abstract string LogSystem { get; }

    /// <summary>The local address, cached when the connection was made (D32).</summary>
    protected abstract EndPoint LocalAddress { get; }

    /// <summary>The peer's address, cached when the connection was made (D32).</summary>
    protected abstract EndPoint PeerAddress { get; }

    EndPoint ITransport.GetHost() => LocalAddress;

    EndPoint ITransport.GetPeer() => PeerAddress;

    // ---- Start ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Registers the connection, starts reading and makes the protocol's connection (Twisted: the transport is reading
    /// before <c>makeConnection</c>, so <c>PauseProducing</c> inside <c>ConnectionMade</c> holds). An exception from
    /// <c>ConnectionMade</c> is logged and aborts the connection, with the exception as the reason (D16).
    /// </summary>
    internal void Start()
    {
        Reactor.TrackOpen(this);
        _counters.ConnectionsActive++;
        UpdateWatch();
        try
        {
            _protocol.MakeConnection(this);
        }
        catch (Exception e)
        {
            LogProtocolFailure(nameof(Protocol.ConnectionMade), e);
            Lose(e, abort: true);
        }
    }

    // ---- Read -----------------------------------------------------------------------------------------------------

    void IStreamSocketHandler.OnReadable()
    {
        if (_state != State.Open || _paused || _readEnded)
        {
            return;
        }

        // Read → dispatch → (when the dispatch ends) flush what the protocol wrote, with one send per connection.
        _loop.BeginDispatch();
        ReadBatch();
        _loop.EndDispatch();
    }

    /// <summary>
    /// Up to the read budget of 64 KiB reads, each delivered at once. A short read means the socket is drained
    /// (level-triggered: anything arriving later wakes us again), so the extra read that would only confirm it is skipped.
    /// </summary>
    private void ReadBatch()
    {
        var buffer = _loop.ReadBuffer;
        var budget = Reactor.Options.Tcp.ReadBudgetReads;
        for (var reads = 0; reads < budget; reads++)
        {
            var received = _socket.Receive(buffer, out var error);
            if (received > 0)
            {
                _counters.BytesReceived += received;
                if (!Deliver(buffer.AsSpan(0, received)) || _state != State.Open || _paused || received < buffer.Length)
                {
                    return;
                }

                continue;
            }

            if (error == SocketError.Success)
            {
                OnEndOfStream();
            }
            else if (StreamErrors.Classify(error) == StreamErrorKind.Lost)
            {
                Lose(new ConnectionLostException(error), abort: false);
            }

            return;
        }
    }

    private bool Deliver(ReadOnlySpan<byte> data)
    {
        try
        {
            _protocol.DataReceived(data);
            return true;
        }
        catch (Exception e)
        {
            // Twisted closes with the exception as the reason (D16); an AbortConnection made before the throw yields to it.
            LogProtocolFailure(nameof(Protocol.DataReceived), e);
            Lose(e, abort: false);
            return false;
        }
    }

    /// <summary>
    /// The peer's FIN. A half-closeable protocol hears <see cref="IHalfCloseableProtocol.ReadConnectionLost"/> and the
    /// connection stays open for writing (D28); any other protocol's connection closes cleanly — after what it wrote has
    /// been sent, so a reply to the peer's last request is not lost.
    /// </summary>
    private void OnEndOfStream()
    {
        _readEnded = true;
        if (_protocol is not IHalfCloseableProtocol halfCloseable)
        {
            BeginClosing(new ConnectionDoneException(), waitForProducer: false);
            return;
        }

        UpdateWatch();
        if (_writeShutdown)
        {
            BeginClosing(new ConnectionDoneException(), waitForProducer: false);
            return;
        }

        try
        {
            halfCloseable.ReadConnectionLost();
        }
        catch (Exception e)
        {
            LogProtocolFailure(nameof(IHalfCloseableProtocol.ReadConnectionLost), e);
            Lose(e, abort: false);
        }
    }

    // ---- Write ----------------------------------------------------------------------------------------------------

    public void Write(ReadOnlySpan<byte> data)
    {
        Reactor.VerifyAccess();
        if ((_state != State.Open && !WaitingForProducer) || _writeShutdownRequested)
        {
            // D20: after LoseConnection, AbortConnection or LoseWriteConnection writes are dropped, never thrown —
            // except a registered producer's while LoseConnection waits for it to finish (D27).
            DropWrite(data.Length);
            AskPullProducerAfterDroppedWrite(data.Length);
            return;
        }

        if (data.IsEmpty)
        {
            return;
        }

        if (_writes.Length == 0 && !_watchingWritable && (!_loop.InDispatch || data.Length >= BlockPool.BlockSize))
        {
            // Nothing queued: send at once (outside a dispatch there is nothing to gather it with; a large write gains
            // nothing from being copied first).
            var sent = _socket.Send(data, out var error);
            if (sent > 0)
            {
                _counters.BytesSent += sent;
            }

            if (sent == data.Length)
            {
                AfterDirectWrite();
                return;
            }

            if (sent <= 0 && StreamErrors.Classify(error) == StreamErrorKind.Lost)
            {
                // Reported later, by the service: never from inside Write.
                Lose(new ConnectionLostException(error), abort: false);
                return;
            }

            // The kernel took part or none: the rest waits for writability.
            if (Enqueue(data[Math.Max(sent, 0)..]))
            {
                WatchWritable(true);
            }

            return;
        }

        if (Enqueue(data) && !_watchingWritable)
        {
            _loop.RequestService(this);
        }
    }

    public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Reactor.VerifyAccess();

        // D18: enumerated once. Inside a dispatch every part is gathered and leaves with one vectored send; outside one,
        // the parts are gathered too, and leave after the current callback (never a service, which may close the
        // connection, from inside this call: D15).
        _loop.BeginDispatch();
        try
        {
            foreach (var part in data)
            {
                Write(part.Span);
            }
        }
        finally
        {
            _loop.EndGathering();
        }
    }

    /// <summary>
    /// Queues <paramref name="data"/>, or — when it would take the buffer past <see cref="TcpOptions.MaxWriteBuffer"/> —
    /// drops it and aborts the connection (D62; reported by the service, never from inside Write). False when dropped.
    /// </summary>
    private bool Enqueue(ReadOnlySpan<byte> data)
    {
        var limit = Reactor.Options.Tcp.MaxWriteBuffer;
        if (_writes.Length + data.Length > limit)
        {
            var counters = _counters;
            counters.WriteBufferOverflows++;
            counters.WritesDropped++;
            StreamLog.WriteBufferOverflow(_loop.Logger, this, data.Length, _writes.Length, limit);
            Lose(new WriteBufferOverflowException(_writes.Length, data.Length, limit), abort: true);
            return false;
        }

        _writes.Append(data, _loop.Blocks);
        _counters.BufferedBytes += data.Length;
        if (_producer is not null && _producerStreaming && !_producerPaused && _writes.Length > _highWatermark)
        {
            // D19: once per crossing.
            _producerPaused = true;
            CallProducer(static p => ((IPushProducer)p).PauseProducing(), nameof(IPushProducer.PauseProducing));
        }

        return true;
    }

    private void AfterDirectWrite()
    {
        if (_producer is not null && !_producerStreaming && !_askPullProducerScheduled)
        {
            // A pull producer is asked for more once everything it wrote has gone — on the next iteration, one chunk per
            // iteration as Twisted's doWrite does, so a producer the kernel keeps up with cannot hold the loop.
            _askPullProducerScheduled = true;
            Reactor.CallSoon(AskPullProducerSoon, this);
        }
    }

    /// <summary>
    /// Whether a <see cref="LoseConnection"/> is waiting for the registered producer to unregister (D27): its writes are
    /// still taken, since that is what the close waits for.
    /// </summary>
    private bool WaitingForProducer => _state == State.Closing && _closeWaitsForProducer && !_closeNow && _producer is not null;

    /// <summary>
    /// A pull producer's dropped chunk is gone as a sent one is, so it is asked for the next (else a LoseConnection
    /// waiting for it to unregister, D27, would wait forever) — on the next iteration, since no full kernel paces a
    /// producer whose writes go nowhere.
    /// </summary>
    private void AskPullProducerAfterDroppedWrite(int length)
    {
        if (length > 0 && _producer is not null && !_producerStreaming && _state != State.Closed && !_askPullProducerScheduled)
        {
            _askPullProducerScheduled = true;
            Reactor.CallSoon(AskPullProducerSoon, this);
        }
    }

    private void AskPullProducer()
    {
        _askPullProducerScheduled = false;
        if (_producer is not null && !_producerStreaming && _state != State.Closed)
        {
            _loop.RequestService(this);
        }
    }

    private void DropWrite(int length)
    {
        if (length > 0)
        {
            _counters.WritesDropped++;
            StreamLog.WriteAfterCloseDropped(_loop.Logger, length, this);
        }
    }

    void IStreamSocketHandler.OnWritable()
    {
        if (_state == State.Closed)
        {
            return;
        }

        // Producers resumed here write within a dispatch, so their writes gather too.
        _loop.BeginDispatch();
        Flush();
        FinishWriteSide();
        _loop.EndDispatch();
    }

    /// <summary>
    /// Sends what is queued, with vectored sends of up to 64 blocks, until the queue is empty or the kernel is full (then
    /// waits for writability). Then resumes a producer that the drain allows (D19).
    /// </summary>
    private void Flush()
    {
        var segments = _loop.Segments;
        while (_writes.Length > 0)
        {
            var count = _writes.Fill(segments);
            var offered = 0L;
            for (var i = 0; i < count; i++)
            {
                offered += segments[i].Count;
            }

            var sent = count == 1
                ? _socket.Send(segments[0].AsSpan(), out var error)
                : _socket.Send(segments.AsSpan(0, count), out error);
            if (sent > 0)
            {
                _writes.Consume(sent, _loop.Blocks);
                _counters.BytesSent += sent;
                _counters.BufferedBytes -= sent;
            }

            if (sent < offered)
            {
                if (sent <= 0 && StreamErrors.Classify(error) == StreamErrorKind.Lost)
                {
                    CloseNow(new ConnectionLostException(error), abort: false);
                    return;
                }

                WatchWritable(true);
                break;
            }
        }

        if (_writes.Length == 0)
        {
            WatchWritable(false);
        }

        ResumeProducerIfDrained();
    }

    private void ResumeProducerIfDrained()
    {
        if (_producer is null || _state == State.Closed)
        {
            return;
        }

        if (_producerStreaming)
        {
            if (_producerPaused && _writes.Length <= _lowWatermark)
            {
                _producerPaused = false;
                CallProducer(static p => ((IPushProducer)p).ResumeProducing(), nameof(IPushProducer.ResumeProducing));
            }
        }
        else if (_writes.Length == 0)
        {
            CallProducer(static p => ((IPullProducer)p).ResumeProducing(), nameof(IPullProducer.ResumeProducing));
        }
    }

    // ---- Producers ------------------------------------------------------------------------------------------------

    public void RegisterProducer(IProducer producer, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(producer);
        Reactor.VerifyAccess();
        TransportArguments.VerifyProducer(_producer, producer, streaming);

        if (_state == State.Closed)
        {
            // Twisted: a producer registered with a closed transport is told to stop at once.
            producer.StopProducing();
            return;
        }

        _producer = producer;
        _producerStreaming = streaming;
        _producerPaused = false;
        if (!streaming)
        {
            // As Twisted: a pull producer is asked for its first chunk at once.
            CallProducer(static p => ((IPullProducer)p).ResumeProducing(), nameof(IPullProducer.ResumeProducing));
        }
    }

    /// <summary>Unregisters and returns the producer, without the close that unregistering may let go ahead (<c>StartTls</c> moves it to the new layer).</summary>
    internal IProducer? TakeProducer(out bool streaming)
    {
        var producer = _producer;
        streaming = _producerStreaming;
        _producer = null;
        _producerPaused = false;
        return producer;
    }

    public void UnregisterProducer()
    {
        Reactor.VerifyAccess();
        _producer = null;
        _producerPaused = false;
        if (_state == State.Closing)
        {
            // D27: a LoseConnection that waited for the producer goes ahead.
            _loop.RequestService(this);
        }
    }

    private void CallProducer(Action<IProducer> call, string callback)
    {
        var producer = _producer!;
        try
        {
            call(producer);
        }
        catch (Exception e)
        {
            LogProtocolFailure(callback, e);
            _producer = null;
            Lose(e, abort: false);
        }
    }

    // The transport as a push producer of what it receives: pausing stops reading (D19's inbound bound).

    public void PauseProducing()
    {
        Reactor.VerifyAccess();
        _paused = true;
        UpdateWatch();
    }

    public void ResumeProducing()
    {
        Reactor.VerifyAccess();
        if (_state != State.Open)
        {
            return;
        }

        _paused = false;
        UpdateWatch();
    }

    public void StopProducing() => LoseConnection();

    // ---- Close ----------------------------------------------------------------------------------------------------

    public void LoseConnection()
    {
        Reactor.VerifyAccess();
        if (_state == State.Open)
        {
            BeginClosing(new ConnectionDoneException(), waitForProducer: true);
        }
    }

    public void AbortConnection()
    {
        Reactor.VerifyAccess();
        if (_state == State.Closed || _abort)
        {
            return;
        }

        Lose(new ConnectionAbortedException(), abort: true);
    }

    void IReactorTransport.CloseWithFailure(string callback, Exception exception)
    {
        Reactor.VerifyAccess();
        if (_state == State.Closed)
        {
            return;
        }

        LogProtocolFailure(callback, exception);
        Lose(exception, abort: false);
    }

    /// <summary>Half-closes once the queue has drained (TCP's <c>LoseWriteConnection</c>).</summary>
    protected void LoseWriteConnectionCore()
    {
        Reactor.VerifyAccess();
        if (_state != State.Open || _writeShutdownRequested)
        {
            return;
        }

        _writeShutdownRequested = true;
        _loop.RequestService(this);
    }

    /// <summary>
    /// Stops reading and closes cleanly with <paramref name="reason"/> once the buffer has drained — and, for the
    /// protocol's own <c>LoseConnection</c>, once a registered producer has unregistered (D27). A close the peer started
    /// does not wait for the producer: it is told to stop when the connection ends.
    /// </summary>
    private void BeginClosing(Exception reason, bool waitForProducer)
    {
        _state = State.Closing;
        _closeReason ??= reason;
        _closeWaitsForProducer |= waitForProducer;
        UpdateWatch();
        _loop.RequestService(this);
    }

    /// <summary>Closes at the next service with <paramref name="reason"/>, discarding the buffer; <paramref name="abort"/> resets the connection.</summary>
    private void Lose(Exception reason, bool abort)
    {
        if (_state == State.Closed)
        {
            return;
        }

        _state = State.Closing;
        _closeReason = reason;
        _closeNow = true;
        _abort |= abort;
        _counters.BufferedBytes -= _writes.Length;
        _writes.Clear(_loop.Blocks);
        _watchingWritable = false;
        UpdateWatch();
        _loop.RequestService(this);
    }

    /// <summary>
    /// What the connection owes after a protocol's call or a dispatch: flush gathered writes, then finish a half-close or
    /// a close. Run by the <see cref="StreamLoop"/>, never from inside a protocol's call.
    /// </summary>
    public void Service()
    {
        if (_state == State.Closed)
        {
            return;
        }

        if (_closeNow)
        {
            CloseNow(_closeReason!, _abort);
            return;
        }

        if (_writes.Length > 0 && !_watchingWritable)
        {
            Flush();
        }
        else if (_producer is not null && !_producerStreaming)
        {
            ResumeProducerIfDrained();
        }

        FinishWriteSide();
    }

    /// <summary>Once nothing is queued: a clean close completes, or a requested half-close happens.</summary>
    private void FinishWriteSide()
    {
        if (_state == State.Closed || _writes.Length > 0)
        {
            return;
        }

        if (_state == State.Closing)
        {
            if (_producer is null || !_closeWaitsForProducer)
            {
                CloseNow(_closeReason ?? new ConnectionDoneException(), abort: false);
            }

            return;
        }

        if (_writeShutdownRequested && !_writeShutdown)
        {
            _writeShutdown = true;
            _socket.Shutdown(SocketShutdown.Send);
            if (_readEnded)
            {
                BeginClosing(new ConnectionDoneException(), waitForProducer: false);
                return;
            }

            if (_protocol is IHalfCloseableProtocol halfCloseable)
            {
                try
                {
                    halfCloseable.WriteConnectionLost();
                }
                catch (Exception e)
                {
                    LogProtocolFailure(nameof(IHalfCloseableProtocol.WriteConnectionLost), e);
                    Lose(e, abort: false);
                }
            }
        }
    }

    /// <summary>The reactor is shutting down: a last non-blocking attempt to send what is queued, then close.</summary>
    void IOpenResource.CloseForShutdown()
    {
        if (_state == State.Closed)
        {
            return;
        }

        if (!_abort && _writes.Length > 0)
        {
            Flush();
        }

        CloseNow(new ConnectionLostException("The reactor shut down with the connection open."), _abort);
    }

    /// <summary>
    /// The one place a connection ends: the socket closes (a FIN, or a reset when aborting), the buffer is released, a
    /// producer is told to stop, and the protocol's <see cref="Protocol.ConnectionLost"/> runs — exactly once (D15).
    /// </summary>
    private void CloseNow(Exception reason, bool abort)
    {
        if (_state == State.Closed)
        {
            return;
        }

        _state = State.Closed;
        _watchingWritable = false;
        _socket.Watch(this, reading: false, writing: false);
        if (abort)
        {
            _socket.Abort();
        }
        else
        {
            _socket.Shutdown(SocketShutdown.Both);
            _socket.Dispose();
        }

        var counters = _counters;
        counters.BufferedBytes -= _writes.Length;
        _writes.Clear(_loop.Blocks);
        counters.ConnectionsActive--;
        switch (reason)
        {
            case ConnectionDoneException:
                counters.ClosedDone++;
                break;
            case WriteBufferOverflowException:
                counters.ClosedOverflow++;
                break;
            case ConnectionAbortedException:
                counters.ClosedAborted++;
                break;
            case ConnectionLostException:
                counters.ClosedLost++;
                break;
            default:
                counters.ClosedError++;
                break;
        }

        Reactor.TrackClosed(this);
        var producer = _producer;
        _producer = null;
        if (producer is not null)
        {
            try
            {
                producer.StopProducing();
            }
            catch (Exception e)
            {
                LogProtocolFailure(nameof(IProducer.StopProducing), e);
            }
        }

        var failure = new Failure(reason);
        _protocol.MarkDisconnected();
        try
        {
            _protocol.ConnectionLost(failure);
        }
        catch (Exception e)
        {
            LogProtocolFailure(nameof(Protocol.ConnectionLost), e);
        }

        OnClosed(failure);
    }

    /// <summary>Called after the protocol's <see cref="Protocol.ConnectionLost"/> (a client's connector tells its factory here).</summary>
    protected virtual void OnClosed(Failure reason)
    {
    }

    // ---- Helpers --------------------------------------------------------------------------------------------------

    private void WatchWritable(bool watch)
    {
        if (_watchingWritable != watch)
        {
            _watchingWritable = watch;
            UpdateWatch();
        }
    }

    private void UpdateWatch()
    {
        if (_state == State.Closed)
        {
            return;
        }

        _socket.Watch(this, reading: _state == State.Open && !_paused && !_readEnded, writing: _watchingWritable);
    }

    /// <summary>Throws unless on the reactor thread and still open (for option setters).</summary>
    protected void VerifyOpen()
    {
        Reactor.VerifyAccess();
        if (_state == State.Closed)
        {
            throw new InvalidOperationException($"{this} has closed.");
        }
    }

    protected void LogProtocolFailure(string callback, Exception exception) =>
        StreamLog.ProtocolCallbackFailed(_loop.Logger, LogSystem, callback, exception);
}
