using System.Net;
using System.Runtime.InteropServices;
using Reactor.Internal.Streams;

namespace Reactor.Testing;

/// <summary>
/// The protocol's side of <see cref="FakeStreamTransport"/>: the <see cref="ITcpTransport"/> members, and the
/// connection's lifecycle, rule for rule the one of the real transport (<c>Internal/Streams/StreamConnection.cs</c>) with
/// the kernel and the loop played by the test.
/// </summary>
public sealed partial class FakeStreamTransport
{
    // ---- The protocol's side: ITcpTransport -----------------------------------------------------------------------

    /// <inheritdoc/>
    public IPEndPoint GetHost() => _host;

    /// <inheritdoc/>
    public IPEndPoint GetPeer() => _peer;

    EndPoint ITransport.GetHost() => _host;

    EndPoint ITransport.GetPeer() => _peer;

    /// <summary>
    /// Writes <paramref name="data"/>: the kernel takes it at once (<see cref="Written"/>), unless
    /// <see cref="FillSendBuffer"/> is in force (then it waits in the buffer). As on a real transport, a write made inside
    /// a callback the fake is running (under 16 KiB, with nothing queued before it) is gathered and sent when that
    /// callback returns, so an <see cref="AbortConnection"/> in the same callback discards it. Dropped, never thrown, once
    /// the connection is closing or half-closed.
    /// </summary>
    /// <param name="data">The bytes; an empty span writes nothing.</param>
    public void Write(ReadOnlySpan<byte> data)
    {
        // While LoseConnection waits for a registered producer to finish (D27), its writes are still taken.
        var waitingForProducer = _state == State.Closing && _closeWaitsForProducer && !_closeNow && _producer is not null;
        if ((_state != State.Open && !waitingForProducer) || _writeShutdownRequested)
        {
            if (!data.IsEmpty)
            {
                WritesDropped++;
            }

            return;
        }

        if (_resetPending is { } error)
        {
            // The send fails: the connection is lost (reported after the current call, never from inside Write).
            _resetPending = null;
            Lose(new ConnectionLostException(error), abort: false);
            return;
        }

        if (!_sendBufferFull && _buffered.Count == 0 && (_depth == 0 || data.Length >= BlockPool.BlockSize))
        {
            _written.AddRange(data);
            return;
        }

        // Gathered (sent when the current call ends, as a dispatch's writes are) or waiting for the kernel.
        _buffered.AddRange(data);
        _serviceRequested |= !_sendBufferFull;
        if (_producer is not null && _producerStreaming && !ProducerPaused && _buffered.Count > _highWatermark)
        {
            ProducerPaused = true;
            CallProducer(ProducerCall.Pause);
        }
    }

    /// <inheritdoc/>
    public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (var part in data)
        {
            Write(part.Span);
        }
    }

    /// <inheritdoc/>
    public void RegisterProducer(IProducer producer, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(producer);
        TransportArguments.VerifyProducer(_producer, producer, streaming);

        if (_state == State.Closed)
        {
            producer.StopProducing();
            return;
        }

        _producer = producer;
        _producerStreaming = streaming;
        ProducerPaused = false;
        if (!streaming)
        {
            CallProducer(ProducerCall.Resume);
        }
    }

    /// <inheritdoc/>
    public void UnregisterProducer()
    {
        _producer = null;
        ProducerPaused = false;
        if (_state == State.Closing)
        {
            _serviceRequested = true;
        }
    }

    /// <inheritdoc/>
    public void PauseProducing() => Paused = true;

    /// <inheritdoc/>
    public void ResumeProducing()
    {
        if (_state != State.Open)
        {
            return;
        }

        Paused = false;
        if (_unread.Count > 0 || _finPending || _resetPending is not null)
        {
            // Read on the next turn of the loop, never from inside ResumeProducing.
            _serviceRequested = true;
        }
    }

    /// <inheritdoc/>
    public void StopProducing() => LoseConnection();

    /// <inheritdoc/>
    public void LoseConnection()
    {
        if (_state == State.Open)
        {
            BeginClosing(new ConnectionDoneException(), waitForProducer: true);
        }
    }

    /// <inheritdoc/>
    public void AbortConnection()
    {
        if (_state is State.Unattached or State.Closed || _abort)
        {
            return;
        }

        Lose(new ConnectionAbortedException(), abort: true);
    }

    /// <inheritdoc/>
    public void LoseWriteConnection()
    {
        if (_state != State.Open || _writeShutdownRequested)
        {
            return;
        }

        _writeShutdownRequested = true;
        _serviceRequested = true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<FakeStreamTransport {_host} to {_peer}{(Closed ? " (closed)" : "")}>";

    /// <summary>The memory reactor is stopping: the connection is lost, as a real reactor's shutdown loses it.</summary>
    internal void CloseForShutdown()
    {
        if (_state is State.Open or State.Closing)
        {
            _buffered.Clear();
            CloseNow(new ConnectionLostException("The reactor shut down with the connection open."), abort: _abort);
        }
    }

    // ---- The connection's lifecycle, as StreamConnection's ----------------------------------------------------------

    /// <summary>Ends one of the fake's calls; the outermost one then does what the protocol set in motion during it.</summary>
    private void EndCall()
    {
        if (--_depth > 0)
        {
            return;
        }

        // The protocol's calls made while servicing count as inside a call, so their consequences join this loop.
        _depth++;
        try
        {
            while (_serviceRequested && _state != State.Closed)
            {
                _serviceRequested = false;
                Service();
            }
        }
        finally
        {
            _serviceRequested = false;
            _depth--;
        }
    }

    /// <summary>What the connection owes after a callback: a close, data held while paused, a half-close or clean close.</summary>
    private void Service()
    {
        if (_closeNow)
        {
            CloseNow(_closeReason!, _abort);
            return;
        }

        ReadUnread();
        NoticeResetWhileWriting();
        if (_buffered.Count > 0 && !_sendBufferFull && _state != State.Closed)
        {
            // The gathered writes leave; a pull producer is asked again only on Pump (see there).
            _written.AddRange(CollectionsMarshal.AsSpan(_buffered));
            _buffered.Clear();
            ResumeProducerIfDrained(askPullProducer: false);
        }

        FinishWriteSide();
    }

    /// <summary>A transport with data waiting to be sent is watching its socket, so it notices a reset at once.</summary>
    private void NoticeResetWhileWriting()
    {
        if (_resetPending is { } error && _buffered.Count > 0 && _state != State.Closed)
        {
            _resetPending = null;
            Lose(new ConnectionLostException(error), abort: false);
        }
    }

    /// <summary>Delivers what the peer sent, in order, while the transport is open and reading: data, then a FIN or a reset.</summary>
    private void ReadUnread()
    {
        while (_state == State.Open && !Paused)
        {
            if (_unread.Count > 0 && !_readEnded)
            {
                var length = Math.Min(_unread.Count, StreamLoop.ReadSize);
                var chunk = _unread.GetRange(0, length).ToArray();
                _unread.RemoveRange(0, length);
                try
                {
                    _protocol!.DataReceived(chunk);
                }
                catch (Exception e)
                {
                    Failed(e, abort: false);
                    return;
                }
            }
            else if (_finPending && !_readEnded)
            {
                _finPending = false;
                OnEndOfStream();
            }
            else if (_resetPending is { } error && !_readEnded)
            {
                _resetPending = null;
                Lose(new ConnectionLostException(error), abort: false);
                return;
            }
            else
            {
                return;
            }
        }
    }

    private void OnEndOfStream()
    {
        _readEnded = true;
        if (_protocol is not IHalfCloseableProtocol halfCloseable || EndOfStreamSent)
        {
            BeginClosing(new ConnectionDoneException());
            return;
        }

        try
        {
            halfCloseable.ReadConnectionLost();
        }
        catch (Exception e)
        {
            Failed(e, abort: false);
        }
    }

    /// <summary>Once nothing is buffered: a clean close completes (when no producer is registered), or a requested half-close happens.</summary>
    private void FinishWriteSide()
    {
        if (_state == State.Closed || _buffered.Count > 0)
        {
            return;
        }

        if (_state == State.Closing)
        {
            // Only the protocol's own LoseConnection waits for a registered producer (D27); a close the peer started does not.
            if (_producer is null || !_closeWaitsForProducer)
            {
                CloseNow(_closeReason ?? new ConnectionDoneException(), abort: false);
            }

            return;
        }

        if (_writeShutdownRequested && !EndOfStreamSent)
        {
            EndOfStreamSent = true;
            if (_readEnded)
            {
                BeginClosing(new ConnectionDoneException());
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
                    Failed(e, abort: false);
                }
            }
        }
    }

    /// <summary>After the buffer drained: a paused streaming producer resumes at the low watermark; a pull producer is asked for more if <paramref name="askPullProducer"/> and the buffer is empty.</summary>
    private void ResumeProducerIfDrained(bool askPullProducer)
    {
        if (_producer is null || _state == State.Closed)
        {
            return;
        }

        if (_producerStreaming)
        {
            if (ProducerPaused && _buffered.Count <= _lowWatermark)
            {
                ProducerPaused = false;
                CallProducer(ProducerCall.Resume);
            }
        }
        else if (askPullProducer && _buffered.Count == 0)
        {
            CallProducer(ProducerCall.Resume);
        }
    }

    private void CallProducer(ProducerCall call)
    {
        var producer = _producer!;
        try
        {
            switch (call)
            {
                case ProducerCall.Pause:
                    ((IPushProducer)producer).PauseProducing();
                    break;
                case ProducerCall.Resume when producer is IPushProducer push && _producerStreaming:
                    push.ResumeProducing();
                    break;
                default:
                    ((IPullProducer)producer).ResumeProducing();
                    break;
            }
        }
        catch (Exception e)
        {
            _producer = null;
            Failed(e, abort: false);
        }
    }

    /// <summary>Stops reading and closes cleanly with <paramref name="reason"/> once the buffer has drained (and any producer unregistered).</summary>
    private void BeginClosing(Exception reason, bool waitForProducer = false)
    {
        _state = State.Closing;
        _closeReason ??= reason;
        _closeWaitsForProducer |= waitForProducer;
        _serviceRequested = true;
    }

    /// <summary>Closes at the end of the current call with <paramref name="reason"/>, discarding the buffer; <paramref name="abort"/> resets the connection.</summary>
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
        _buffered.Clear();
        _serviceRequested = true;
    }

    /// <summary>A protocol or producer callback threw: keep it, and close with it as the reason (Twisted's behaviour).</summary>
    private void Failed(Exception exception, bool abort)
    {
        _callbackErrors.Add(exception);
        Lose(exception, abort);
    }

    /// <summary>The one place the connection ends: a producer is told to stop, and <see cref="Protocol.ConnectionLost"/> runs once.</summary>
    private void CloseNow(Exception reason, bool abort)
    {
        _state = State.Closed;
        Aborted = abort;
        EndOfStreamSent |= !abort;
        _buffered.Clear();
        _unread.Clear();
        var producer = _producer;
        _producer = null;
        ProducerPaused = false;
        if (producer is not null)
        {
            try
            {
                producer.StopProducing();
            }
            catch (Exception e)
            {
                _callbackErrors.Add(e);
            }
        }

        var failure = new Failure(reason);
        var protocol = _protocol!;
        protocol.MarkDisconnected();
        try
        {
            protocol.ConnectionLost(failure);
        }
        catch (Exception e)
        {
            _callbackErrors.Add(e);
        }

        OnClosed?.Invoke(failure);
    }

    private void VerifyAttached()
    {
        if (_state == State.Unattached)
        {
            throw new InvalidOperationException("No protocol is attached: call Attach(protocol) first.");
        }
    }

    private void VerifyPeerCanSend()
    {
        VerifyAttached();
        if (_peerClosed)
        {
            throw new InvalidOperationException("The peer has already closed its side (ReceiveFin or ReceiveReset): it cannot send more.");
        }
    }

    private T VerifyOpen<T>(T value)
    {
        if (_state == State.Closed)
        {
            throw new InvalidOperationException($"{this} has closed.");
        }

        return value;
    }

    private enum ProducerCall
    {
        Pause,
        Resume,
    }
}
