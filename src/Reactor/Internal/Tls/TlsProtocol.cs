using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Reactor.Internal.Streams;
using Reactor.Tls;

namespace Reactor.Internal.Tls;

/// <summary>
/// The TLS layer (Twisted's <c>TLSMemoryBIOProtocol</c>): the protocol of a stream connection, and the transport of the
/// application's protocol above it. An <see cref="SslStream"/> over a <see cref="LoopStream"/> does the TLS; the
/// reactor thread drives it — handshake, decryption and encryption all run there, completed inline by the data the
/// connection receives. Wraps any <see cref="StreamConnection"/> (TCP now, UNIX sockets later). Specified by
/// <c>tests/Reactor.Tests/Tls/</c>.
/// </summary>
/// <remarks>
/// <para>Lifecycle: handshake (bounded by the options' timeout) → verified → the application's protocol is built and
/// connected, then told <see cref="IHandshakeListener.HandshakeCompleted"/> (D35: never before verification) → records
/// both ways → close: the application's <c>LoseConnection</c> flushes, sends close_notify and waits for the peer's for
/// at most the close timeout (D34); the peer's close_notify is answered; a close of the connection without one is a
/// truncation, reported as a lost connection.</para>
/// <para>Writes of one dispatch are encrypted together when it ends (D36). Back-pressure crosses the layer both ways:
/// the application's producer is paused when the connection's buffer is full (through a small producer registered on
/// the connection), and a paused application stops the reading of records, which stops the connection's reading once
/// <see cref="LoopStream.PauseAbove"/> bytes of ciphertext wait.</para>
/// </remarks>
internal sealed class TlsProtocol : Protocol, ITlsTransport, IStreamService, IReactorTransport
{
    /// <summary>Plaintext read per record (TLS's largest record).</summary>
    private const int RecordSize = 16 * 1024;

    /// <summary>Plaintext written in one dispatch beyond which it is encrypted at once rather than when the dispatch ends.</summary>
    private const int EncryptNowAbove = 64 * 1024;

    private readonly TlsServerOptions? _serverOptions;
    private readonly TlsClientOptions? _clientOptions;
    private readonly string? _serverName;
    private readonly Func<Protocol?>? _buildApp;
    private readonly Membrane _membrane;
    private readonly PullMembrane _pullMembrane;
    private bool _pullMembraneRegistered;
    private bool _registeringPull;
    private readonly ArraySegment<byte>[] _segment = new ArraySegment<byte>[1];
    private Protocol? _app;
    private bool _appConnected;
    private bool _appLost;
    private ReactorBase _reactor = null!;
    private StreamLoop _loop = null!;
    private ITransport _lower = null!;
    private LoopStream? _stream;
    private SslStream? _ssl;
    private State _state;
    private WriteQueue _plain;
    private bool _closeRequested;
    private bool _shutdownSent;
    private bool _lowerClosing;
    private bool _peerSentCloseNotify;
    private bool _aborted;
    private bool _appPaused;
    private bool _reading;
    private IProducer? _producer;
    private bool _producerStreaming;
    private bool _producerPaused;
    private IDelayedCall? _handshakeTimer;
    private IDelayedCall? _closeTimer;
    private Exception? _failure;
    private Failure? _lowerLost;
    private bool _handshakeFailureRecorded;
    private bool _handshaking;
    private Action? _lossSettled;
    private bool _membranePaused;
    private SslPolicyErrors _policyErrors;
    private X509ChainStatusFlags _chainErrors;

    /// <summary>A server's layer; the application's protocol is built by <paramref name="buildApp"/> once the handshake succeeded.</summary>
    internal TlsProtocol(TlsServerOptions options, Func<Protocol?> buildApp)
    {
        _serverOptions = options;
        _buildApp = buildApp;
        _membrane = new Membrane(this);
        _pullMembrane = new PullMembrane(this);
    }

    /// <summary>A client's layer verifying <paramref name="serverName"/>; the application's protocol is built once verified.</summary>
    internal TlsProtocol(TlsClientOptions options, string? serverName, Func<Protocol?> buildApp)
    {
        _clientOptions = options;
        _serverName = serverName;
        _buildApp = buildApp;
        _membrane = new Membrane(this);
        _pullMembrane = new PullMembrane(this);
    }

    /// <summary>A layer put under an already connected protocol (<c>StartTls</c>).</summary>
    internal TlsProtocol(TlsServerOptions? serverOptions, TlsClientOptions? clientOptions, string? serverName, Protocol connected)
    {
        _serverOptions = serverOptions;
        _clientOptions = clientOptions;
        _serverName = serverName;
        _app = connected;
        _appConnected = true;
        _membrane = new Membrane(this);
        _pullMembrane = new PullMembrane(this);
    }

    private enum State
    {
        Handshaking,
        Open,
        Closed,
    }

    public bool ServiceRequested { get; set; }

    /// <summary>Why the layer failed, if it did (a handshake failure, a record the runtime refused).</summary>
    internal Exception? Failure => _failure;

    /// <summary>Told why, when the layer closes before an application protocol was connected (a TLS client endpoint's Deferred fails with it).</summary>
    internal Action<Exception>? LostUnconnected { get; set; }

    /// <summary>
    /// Runs <paramref name="then"/> once the loss is settled: now if it is, else when a handshake the connection's close
    /// interrupted has failed on it (so <see cref="Failure"/> holds its reason).
    /// </summary>
    internal void WhenLossSettled(Action then)
    {
        if (_state == State.Closed)
        {
            then();
            return;
        }

        _lossSettled += then;
    }

    /// <summary>The application's protocol, once built.</summary>
    internal Protocol? Application => _app;

    public bool IsHandshakeComplete { get; private set; }

    public SslApplicationProtocol NegotiatedApplicationProtocol => IsHandshakeComplete ? _ssl!.NegotiatedApplicationProtocol : default;

    public SslProtocols SslProtocol => IsHandshakeComplete ? _ssl!.SslProtocol : SslProtocols.None;

    public TlsCipherSuite? CipherSuite => IsHandshakeComplete ? _ssl!.NegotiatedCipherSuite : null;

    public X509Certificate2? RemoteCertificate => IsHandshakeComplete ? _ssl!.RemoteCertificate as X509Certificate2 : null;

    public string? ServerName => IsHandshakeComplete ? (_clientOptions is not null ? _serverName : _ssl!.TargetHostName) : null;

    public override string LogPrefix => $"{_app?.LogPrefix ?? "Protocol"} (TLS)";

    public bool Disconnecting => _closeRequested || _aborted || _state == State.Closed;

    public long BufferedBytes => _plain.Length + (_lower?.BufferedBytes ?? 0);

    public int HighWatermark
    {
        get => _lower.HighWatermark;
        set => _lower.HighWatermark = value;
    }

    public int LowWatermark
    {
        get => _lower.LowWatermark;
        set => _lower.LowWatermark = value;
    }

    private bool IsClient => _clientOptions is not null;

    // ---- The connection below -----------------------------------------------------------------------------------

    /// <summary>The connection is made: start the handshake (the application's protocol comes after it, D35).</summary>
    public override void ConnectionMade()
    {
        _lower = Transport!;
        if (_lower is not StreamConnection connection)
        {
            throw new NotSupportedException("TLS runs over a reactor's stream connection (TCP, UNIX sockets).");
        }

        _reactor = connection.OwnerReactor;
        _loop = _reactor.Streams;
        _lower.RegisterProducer(_membrane, streaming: true);
        _stream = new LoopStream(_reactor, _lower, _loop.Blocks);
        _ssl = new SslStream(_stream, leaveInnerStreamOpen: true);
        var timeout = _serverOptions?.HandshakeTimeout ?? _clientOptions!.HandshakeTimeout;
        _handshakeTimer = _reactor.CallLater(timeout, OnHandshakeTimedOut);
        _handshaking = true;
        _ = HandshakeThenReadAsync();
    }

    /// <summary>Ciphertext from the connection: it completes the TLS stream's waiting read, inline.</summary>
    public override void DataReceived(ReadOnlySpan<byte> data) => _stream!.Feed(data);

    /// <summary>
    /// The connection below has closed. The application hears it once, with the TLS layer's reason when it has one —
    /// after the records already received, so a paused application that resumes still reads what came before a clean
    /// close.
    /// </summary>
    public override void ConnectionLost(Failure reason)
    {
        _lowerLost = reason;
        CancelTimers();
        // A paused application gets the records that came before a clean close (and so its close_notify) when it
        // resumes, as Twisted's paused transport notices the close only then; a reset or an error is reported at once.
        var drainFirst = _state == State.Open && IsHandshakeComplete && _appPaused && !_aborted && !_closeRequested
            && reason.Exception is ConnectionDoneException;
        _stream?.End();

        // A close during the handshake is reported once the handshake has failed on it: what the peer sent before
        // closing (a protocol_version alert, say) is the reason, not the close.
        var handshakeFirst = _handshaking && _failure is null && !_aborted;
        if (!drainFirst && !handshakeFirst)
        {
            FinishLoss();
        }
    }

    /// <summary>Reports the loss to the application (once), with the reason D34 gives it.</summary>
    private void FinishLoss()
    {
        if (_state == State.Closed)
        {
            return;
        }

        _state = State.Closed;
        CancelTimers();
        var lower = _lowerLost!.Exception;
        if (!IsHandshakeComplete)
        {
            _failure ??= new TlsHandshakeException(PeerAddress, TlsFailureReason.ConnectionClosed, "The connection closed before the TLS handshake completed.", innerException: lower);
            RecordHandshakeFailure((TlsHandshakeException)_failure);
        }

        Exception appReason;
        if (_aborted)
        {
            appReason = new ConnectionAbortedException();
        }
        else if (_failure is not null)
        {
            appReason = _failure;
        }
        else if (_peerSentCloseNotify || ((_shutdownSent || _closeRequested) && lower is ConnectionDoneException))
        {
            appReason = new ConnectionDoneException();
        }
        else if (lower is ConnectionDoneException)
        {
            appReason = new ConnectionLostException("The TLS connection was truncated: the peer closed it without a close_notify.");
        }
        else
        {
            appReason = lower;
        }

        var producer = _producer;
        _producer = null;
        if (producer is not null)
        {
            CallApp(nameof(IProducer.StopProducing), static (_, p) => ((IProducer)p!).StopProducing(), producer);
        }

        if (_appConnected && !_appLost)
        {
            _appLost = true;
            _app!.MarkDisconnected();
            CallApp(nameof(Protocol.ConnectionLost), static (app, r) => app.ConnectionLost((Failure)r!), new Failure(appReason));
        }
        else if (!_appConnected)
        {
            LostUnconnected?.Invoke(appReason);
        }

        _plain.Clear(_loop.Blocks);
        _ssl?.Dispose();
        _stream?.Dispose();
        var settled = _lossSettled;
        _lossSettled = null;
        settled?.Invoke();
    }

    /// <summary>Counts and logs a failed handshake, once.</summary>
    private void RecordHandshakeFailure(TlsHandshakeException failure)
    {
        if (_handshakeFailureRecorded)
        {
            return;
        }

        _handshakeFailureRecorded = true;
        _loop.Counters.TlsHandshakeFailures++;
        TlsLog.HandshakeFailed(_loop.Logger, PeerAddress, failure.Reason, failure.Message);
    }

    // ---- Handshake and reading ----------------------------------------------------------------------------------

    private async Task HandshakeThenReadAsync()
    {
        try
        {
            if (IsClient)
            {
                await _ssl!.AuthenticateAsClientAsync(ClientAuthentication()).ConfigureAwait(false);
            }
            else
            {
                await _ssl!.AuthenticateAsServerAsync(ServerAuthentication()).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            await new ReactorThreadAwaitable(_reactor);
            _handshaking = false;
            OnHandshakeFailed(e);
            return;
        }

        await new ReactorThreadAwaitable(_reactor);
        _handshaking = false;
        OnHandshakeSucceeded();
        await ReadRecordsAsync().ConfigureAwait(false);
    }

    private void OnHandshakeSucceeded()
    {
        if (_state == State.Closed)
        {
            return;
        }

        if (_lowerLost is not null)
        {
            // The connection closed while the handshake finished (its last messages were already in): as before the
            // handshake completed, nothing is built or connected, and the loss is reported now.
            FinishLoss();
            return;
        }

        CancelTimers();
        _state = State.Open;
        IsHandshakeComplete = true;
        _loop.Counters.TlsHandshakes++;
        if (_app is null)
        {
            try
            {
                _app = _buildApp!();
            }
            catch (Exception e)
            {
                TlsLog.CallbackFailed(_loop.Logger, LogPrefix, nameof(Factory.BuildProtocol), e);
                Fail(e, abort: true);
                return;
            }

            if (_app is null)
            {
                // The factory refused the connection: close it cleanly.
                _closeRequested = true;
                _loop.RequestService(this);
                return;
            }
        }

        if (!_appConnected)
        {
            _appConnected = true;
            _loop.BeginDispatch();
            try
            {
                _app.MakeConnection(this);
            }
            catch (Exception e)
            {
                TlsLog.CallbackFailed(_loop.Logger, LogPrefix, nameof(Protocol.ConnectionMade), e);
                Fail(e, abort: true);
            }
            finally
            {
                _loop.EndDispatch();
            }
        }

        if (_state == State.Open && !_aborted && _app is IHandshakeListener listener)
        {
            CallApp(nameof(IHandshakeListener.HandshakeCompleted), static (app, _) => ((IHandshakeListener)app).HandshakeCompleted(), null);
        }

        if (_plain.Length > 0 || _closeRequested)
        {
            _loop.RequestService(this);
        }
    }

    private void OnHandshakeFailed(Exception exception)
    {
        _failure ??= Classify(exception);
        if (_failure is TlsHandshakeException failure)
        {
            RecordHandshakeFailure(failure);
        }

        CancelTimers();
        if (_state != State.Closed && _lowerLost is not null)
        {
            FinishLoss(); // the connection closed during the handshake, and now the reason is known
        }
        else if (_state != State.Closed)
        {
            // What SslStream wrote (an alert) goes out before the FIN.
            CloseLower();
        }
    }

    private void OnHandshakeTimedOut()
    {
        _handshakeTimer = null;
        if (IsHandshakeComplete || _state == State.Closed)
        {
            return;
        }

        var timeout = _serverOptions?.HandshakeTimeout ?? _clientOptions!.HandshakeTimeout;
        _failure ??= new TlsHandshakeException(PeerAddress, TlsFailureReason.Timeout, $"The TLS handshake did not complete within {timeout.TotalSeconds:0.###} s.");
        RecordHandshakeFailure((TlsHandshakeException)_failure);
        _lower.UnregisterProducer();
        _lower.AbortConnection();
    }

    /// <summary>
    /// Reads records while the application wants data: a zero-byte read first, so an idle connection holds no buffer,
    /// then one record into a pooled buffer that goes back at once.
    /// </summary>
    private async Task ReadRecordsAsync()
    {
        if (_reading)
        {
            return;
        }

        _reading = true;
        try
        {
            while (_state == State.Open && !_appPaused && !_aborted)
            {
                byte[]? buffer = null;
                int received;
                try
                {
                    await _ssl!.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    await new ReactorThreadAwaitable(_reactor);
                    if (_state != State.Open || _appPaused || _aborted)
                    {
                        break;
                    }

                    buffer = ArrayPool<byte>.Shared.Rent(RecordSize);
                    received = await _ssl.ReadAsync(buffer).ConfigureAwait(false);
                    await new ReactorThreadAwaitable(_reactor);
                }
                catch (Exception e)
                {
                    await new ReactorThreadAwaitable(_reactor);
                    if (buffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    if (_state == State.Open)
                    {
                        _failure ??= new ConnectionLostException($"The TLS connection failed: {e.Message}");
                        if (_lowerLost is not null)
                        {
                            FinishLoss();
                        }
                        else
                        {
                            Fail(_failure, abort: true);
                        }
                    }

                    break;
                }

                if (received == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    OnTlsEnded();
                    break;
                }

                Deliver(buffer.AsSpan(0, received));
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            _reading = false;
        }
    }

    private void Deliver(ReadOnlySpan<byte> plaintext)
    {
        if (!_appConnected || _closeRequested || _appLost)
        {
            return; // as Twisted: no data after LoseConnection
        }

        _loop.Counters.TlsBytesReceived += plaintext.Length;
        _loop.BeginDispatch();
        try
        {
            _app!.DataReceived(plaintext);
        }
        catch (Exception e)
        {
            TlsLog.CallbackFailed(_loop.Logger, LogPrefix, nameof(Protocol.DataReceived), e);
            Fail(e, abort: false);
        }
        finally
        {
            _loop.EndDispatch();
        }
    }

    /// <summary>
    /// The TLS stream ended: with the peer's close_notify (answered, then the connection closes), or with the
    /// connection's end (the loss is reported now, after the records that came before it).
    /// </summary>
    private void OnTlsEnded()
    {
        if (!_stream!.EndReturned)
        {
            _peerSentCloseNotify = true;
        }

        if (_lowerLost is not null)
        {
            FinishLoss();
            return;
        }

        if (!_shutdownSent)
        {
            // What the application wrote in reply to the records that came with the close_notify (waiting for the
            // dispatch's end, D36) is encrypted first: it leaves before this side's close_notify, as in Twisted, where
            // a write is encrypted at once.
            if (_plain.Length > 0 && !_aborted)
            {
                Encrypt(gathering: false);
                if (_failure is not null)
                {
                    return; // the write failed, and the connection is aborted
                }
            }

            SendCloseNotify(startTimer: false);
        }

        CloseLower();
    }

    // ---- Writing --------------------------------------------------------------------------------------------------

    public void Write(ReadOnlySpan<byte> data)
    {
        _reactor.VerifyAccess();
        var waitingForProducer = _closeRequested && _producer is not null && !_aborted;
        if (_state == State.Closed || _aborted || (_closeRequested && !waitingForProducer))
        {
            // D20: dropped, never thrown.
            if (!data.IsEmpty)
            {
                _loop.Counters.WritesDropped++;
            }

            return;
        }

        if (data.IsEmpty)
        {
            return;
        }

        _plain.Append(data, _loop.Blocks);
        if (!IsHandshakeComplete)
        {
            // Kept until the handshake completes; a producer waits meanwhile.
            if (_plain.Length > HighWatermark)
            {
                PauseAppProducer();
            }

            return;
        }

        if (_plain.Length >= EncryptNowAbove)
        {
            // A large write is encrypted at once: the connection's buffer, and its producer pausing (through the
            // membrane), see it as they would a plaintext write. Outside a dispatch the records still leave after the
            // current callback, never inside this call (D15).
            Encrypt(gathering: true);
        }
        else
        {
            // D36: small writes are encrypted when the dispatch (or the current callback) ends, together.
            _loop.RequestService(this);
        }
    }

    public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (var part in data)
        {
            Write(part.Span);
        }
    }

    /// <summary>After the dispatch: encrypt what was written, then go on with a close that waits for it.</summary>
    public void Service()
    {
        if (_state != State.Open || _aborted)
        {
            return;
        }

        if (_plain.Length > 0)
        {
            Encrypt(gathering: false);
        }

        if (_producerPaused && !_membranePaused && _producerStreaming)
        {
            // Paused while the handshake ran: what it wrote has gone down, and the connection takes more.
            ResumeAppProducer();
        }

        if (_producer is { } producer && !_producerStreaming && _plain.Length == 0 && _lower.BufferedBytes == 0)
        {
            // A pull producer is asked again while the connection takes more (D27: also while LoseConnection waits);
            // while the connection's buffer holds data, its draining asks instead (PullMembrane).
            CallApp(nameof(IPullProducer.ResumeProducing), static (_, p) => ((IPullProducer)p!).ResumeProducing(), producer);
        }

        if (_closeRequested && _plain.Length == 0 && _producer is null && !_shutdownSent && _state == State.Open)
        {
            SendCloseNotify(startTimer: true);
        }
    }

    /// <summary>
    /// Encrypts what is queued, one record per block, inside a dispatch so the records leave with one send. From a
    /// protocol's <see cref="Write"/> (<paramref name="gathering"/>), the send waits for the current callback's end.
    /// </summary>
    private void Encrypt(bool gathering)
    {
        var segment = _segment;
        _loop.BeginDispatch();
        try
        {
            while (_plain.Length > 0)
            {
                _plain.Fill(segment.AsSpan(0, 1));
                var count = segment[0].Count;
                _ssl!.Write(segment[0].AsSpan());
                _plain.Consume(count, _loop.Blocks);
                _loop.Counters.TlsBytesSent += count;
            }
        }
        catch (Exception e)
        {
            Fail(new ConnectionLostException($"The TLS connection failed while writing: {e.Message}"), abort: true);
        }
        finally
        {
            if (gathering)
            {
                _loop.EndGathering();
            }
            else
            {
                _loop.EndDispatch();
            }
        }
    }

    // ---- Closing --------------------------------------------------------------------------------------------------

    public void LoseConnection()
    {
        _reactor.VerifyAccess();
        if (_state == State.Closed || _closeRequested || _aborted)
        {
            return;
        }

        _closeRequested = true;
        if (_lowerLost is not null)
        {
            // The connection already ended while the application was paused: report it after this call.
            _reactor.CallSoon(static t => ((TlsProtocol)t!).FinishLoss(), this);
            return;
        }

        if (!IsHandshakeComplete)
        {
            // D34: nothing to close cleanly before the handshake has completed.
            _aborted = true;
            _lower.UnregisterProducer();
            _lower.AbortConnection();
            return;
        }

        _loop.RequestService(this);
    }

    public void AbortConnection()
    {
        _reactor.VerifyAccess();
        if (_state == State.Closed || _aborted)
        {
            return;
        }

        _aborted = true;
        if (_lowerLost is not null)
        {
            _reactor.CallSoon(static t => ((TlsProtocol)t!).FinishLoss(), this);
            return;
        }

        _lower.UnregisterProducer();
        _lower.AbortConnection();
    }

    /// <summary>Sends close_notify; the connection closes when the peer's arrives, or after the close timeout (D34).</summary>
    private void SendCloseNotify(bool startTimer)
    {
        _shutdownSent = true;
        _loop.BeginDispatch();
        try
        {
            _ = _ssl!.ShutdownAsync();
        }
        catch (Exception)
        {
            CloseLower();
        }
        finally
        {
            _loop.EndDispatch();
        }

        if (startTimer && !_lowerClosing)
        {
            var timeout = _serverOptions?.CloseTimeout ?? _clientOptions!.CloseTimeout;
            _closeTimer = _reactor.CallLater(timeout, () =>
            {
                _closeTimer = null;
                TlsLog.CloseNotifyTimedOut(_loop.Logger, PeerAddress, timeout);
                CloseLower();
            });
        }
    }

    private void CloseLower()
    {
        if (_lowerClosing)
        {
            return;
        }

        _lowerClosing = true;
        CancelTimers();
        _lower.UnregisterProducer();
        _lower.LoseConnection();
    }

    /// <summary>Closes because of <paramref name="reason"/>, which the application then gets as its close reason.</summary>
    private void Fail(Exception reason, bool abort)
    {
        _failure ??= reason;
        if (abort)
        {
            _lower.UnregisterProducer();
            _lower.AbortConnection();
            return;
        }

        if (_state == State.Open && IsHandshakeComplete && !_shutdownSent && !_lowerClosing && _lowerLost is null)
        {
            // As a LoseConnection: what was written goes first, then close_notify, so the peer sees a clean close (the
            // application hears the exception as its reason). The producer is let go: it failed, or the application did.
            _closeRequested = true;
            _producer = null;
            _loop.RequestService(this);
            return;
        }

        CloseLower();
    }

    // ---- Producers ------------------------------------------------------------------------------------------------

    public void RegisterProducer(IProducer producer, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(producer);
        _reactor.VerifyAccess();
        TransportArguments.VerifyProducer(_producer, producer, streaming);
        if (_state == State.Closed)
        {
            producer.StopProducing();
            return;
        }

        _producer = producer;
        _producerStreaming = streaming;
        _producerPaused = false;
        if (!streaming)
        {
            UsePullMembrane(true);
            if (IsHandshakeComplete)
            {
                // As Twisted: a pull producer is asked for its first chunk at once.
                CallApp(nameof(IPullProducer.ResumeProducing), static (_, p) => ((IPullProducer)p!).ResumeProducing(), producer);
            }
        }
    }

    /// <summary>
    /// With a pull producer above, the connection below gets a pull producer too, so that its buffer draining asks the
    /// application's for more (a write the kernel takes at once leaves nothing to drain, and Service asks then).
    /// </summary>
    private void UsePullMembrane(bool pull)
    {
        if (_lower is null || _pullMembraneRegistered == pull || _lowerClosing || _lowerLost is not null || _aborted)
        {
            return;
        }

        _pullMembraneRegistered = pull;
        _lower.UnregisterProducer();
        _registeringPull = true;
        try
        {
            _lower.RegisterProducer(pull ? _pullMembrane : _membrane, streaming: !pull);
        }
        finally
        {
            _registeringPull = false;
        }
    }

    /// <summary>The connection's buffer has drained: a pull producer above is asked for more.</summary>
    private void OnLowerDrained()
    {
        if (_registeringPull || _state != State.Open || !IsHandshakeComplete || _aborted)
        {
            return;
        }

        if (_producer is { } producer && !_producerStreaming && _plain.Length == 0)
        {
            CallApp(nameof(IPullProducer.ResumeProducing), static (_, p) => ((IPullProducer)p!).ResumeProducing(), producer);
        }
    }

    public void UnregisterProducer()
    {
        _reactor.VerifyAccess();
        _producer = null;
        _producerPaused = false;
        UsePullMembrane(false);
        if (_closeRequested)
        {
            _loop.RequestService(this);
        }
    }

    private void PauseAppProducer()
    {
        if (_producer is { } producer && _producerStreaming && !_producerPaused)
        {
            _producerPaused = true;
            CallApp(nameof(IPushProducer.PauseProducing), static (_, p) => ((IPushProducer)p!).PauseProducing(), producer);
        }
    }

    private void ResumeAppProducer()
    {
        if (_producer is { } producer && _producerStreaming && _producerPaused)
        {
            _producerPaused = false;
            CallApp(nameof(IPushProducer.ResumeProducing), static (_, p) => ((IPushProducer)p!).ResumeProducing(), producer);
        }
        else if (_producer is { } pull && !_producerStreaming)
        {
            _loop.RequestService(this);
        }
    }

    // The transport as a push producer of the plaintext it delivers.

    public void PauseProducing()
    {
        _reactor.VerifyAccess();
        _appPaused = true;
    }

    public void ResumeProducing()
    {
        _reactor.VerifyAccess();
        if (_closeRequested || _state != State.Open)
        {
            return;
        }

        _appPaused = false;
        if (!_reading)
        {
            // As a TCP transport: the data waiting is delivered after this call, never from inside ResumeProducing.
            _reactor.CallSoon(static t =>
            {
                var tls = (TlsProtocol)t!;
                if (!tls._reading && !tls._appPaused && tls._state == State.Open)
                {
                    _ = tls.ReadRecordsAsync();
                }
            }, this);
        }
    }

    public void StopProducing() => LoseConnection();

    // ---- For a PipeProtocol above ---------------------------------------------------------------------------------

    ReactorBase IReactorTransport.Reactor => _reactor;

    void IReactorTransport.CloseWithFailure(string callback, Exception exception)
    {
        _reactor.VerifyAccess();
        TlsLog.CallbackFailed(_loop.Logger, LogPrefix, callback, exception);
        if (_state != State.Closed && !_aborted)
        {
            Fail(exception, abort: true);
        }
    }

    // ---- Addresses and helpers ----------------------------------------------------------------------------------

    public EndPoint GetHost() => _lower.GetHost();

    public EndPoint GetPeer() => _lower.GetPeer();

    private EndPoint? PeerAddress => _lower?.GetPeer();

    private void CancelTimers()
    {
        if (_handshakeTimer is { Active: true } handshake)
        {
            handshake.Cancel();
        }

        if (_closeTimer is { Active: true } close)
        {
            close.Cancel();
        }

        _handshakeTimer = null;
        _closeTimer = null;
    }

    private void CallApp(string callback, Action<Protocol, object?> call, object? state)
    {
        try
        {
            call(_app!, state);
        }
        catch (Exception e)
        {
            TlsLog.CallbackFailed(_loop.Logger, LogPrefix, callback, e);
            if (_state == State.Open)
            {
                Fail(e, abort: false);
            }
        }
    }

    private SslClientAuthenticationOptions ClientAuthentication()
    {
        var options = _clientOptions!;
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = _serverName ?? string.Empty,
            AllowRenegotiation = false,
            EnabledSslProtocols = options.EnabledProtocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(options.TrustedCertificateAuthorities),
            RemoteCertificateValidationCallback = options.DangerousAcceptAnyServerCertificate
                ? static (_, _, _, _) => true
                : RecordVerification,
        };
        if (options.ApplicationProtocols.Count > 0)
        {
            authentication.ApplicationProtocols = [.. options.ApplicationProtocols];
        }

        if (options.ClientCertificate is { } certificate)
        {
            authentication.ClientCertificates = [certificate];
        }

        return authentication;
    }

    private SslServerAuthenticationOptions ServerAuthentication()
    {
        var options = _serverOptions!;
        var authentication = new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = options.EnabledProtocols,
            ClientCertificateRequired = options.RequireClientCertificate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(options.ClientCertificateAuthorities),
            RemoteCertificateValidationCallback = options.RequireClientCertificate
                ? RecordVerification
                : static (_, certificate, _, errors) => certificate is null || errors == SslPolicyErrors.None,
        };
        if (options.Certificate is not null)
        {
            authentication.ServerCertificateContext = options.CertificateContext;
        }
        else
        {
            var selector = options.CertificateSelector!;
            authentication.ServerCertificateSelectionCallback = (_, hostName) => selector(hostName)!;
        }

        if (options.ApplicationProtocols.Count > 0)
        {
            authentication.ApplicationProtocols = [.. options.ApplicationProtocols];
        }

        return authentication;
    }

    /// <summary>
    /// The chain policy: the given authorities instead of the system's roots when there are any; never downloading
    /// missing certificates, since a download would block the reactor thread.
    /// </summary>
    private static X509ChainPolicy ChainPolicy(X509Certificate2Collection? authorities)
    {
        var policy = new X509ChainPolicy
        {
            DisableCertificateDownloads = true,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        if (authorities is { Count: > 0 })
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(authorities);
        }

        return policy;
    }

    private bool RecordVerification(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        _policyErrors = errors;
        if (chain is not null)
        {
            foreach (var status in chain.ChainStatus)
            {
                _chainErrors |= status.Status;
            }
        }

        return errors == SslPolicyErrors.None;
    }

    /// <summary>A clear reason for a failed handshake, from what the verification saw and what the runtime threw.</summary>
    private TlsHandshakeException Classify(Exception exception)
    {
        var peer = PeerAddress;
        if ((_policyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return new TlsHandshakeException(peer, TlsFailureReason.NameMismatch,
                $"The TLS certificate of {peer} is not for '{_serverName}'.", _policyErrors, exception);
        }

        if ((_chainErrors & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            return new TlsHandshakeException(peer, TlsFailureReason.ExpiredCertificate,
                $"The TLS certificate of {peer} has expired or is not yet valid.", _policyErrors, exception);
        }

        if ((_policyErrors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return new TlsHandshakeException(peer, TlsFailureReason.UntrustedCertificate,
                $"The TLS certificate of {peer} is not trusted ({_chainErrors}).", _policyErrors, exception);
        }

        if ((_policyErrors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return new TlsHandshakeException(peer, TlsFailureReason.CertificateMissing,
                $"{peer} sent no certificate, and one is required.", _policyErrors, exception);
        }

        // The runtime nests OpenSSL's reason (an alert received, "unsupported protocol") a few exceptions deep.
        var message = "";
        for (var e = exception; e is not null; e = e.InnerException)
        {
            message += " " + e.Message;
        }

        if (message.Contains("version", StringComparison.OrdinalIgnoreCase) || message.Contains("unsupported protocol", StringComparison.OrdinalIgnoreCase))
        {
            return new TlsHandshakeException(peer, TlsFailureReason.ProtocolVersion,
                $"{peer} and this side have no TLS version in common: {exception.Message}", _policyErrors, exception);
        }

        if (exception is IOException && _stream is { EndReturned: true })
        {
            return new TlsHandshakeException(peer, TlsFailureReason.ConnectionClosed,
                $"{peer} closed the connection during the TLS handshake.", _policyErrors, exception);
        }

        return new TlsHandshakeException(peer, TlsFailureReason.Other, $"The TLS handshake with {peer} failed: {exception.Message}", _policyErrors, exception);
    }

    /// <summary>The pull producer registered on the connection below while the application's producer is a pull producer.</summary>
    private sealed class PullMembrane(TlsProtocol owner) : IPullProducer
    {
        public void ResumeProducing() => owner.OnLowerDrained();

        public void StopProducing()
        {
        }
    }

    /// <summary>
    /// What the connection below pauses and resumes as its buffer fills and drains (Twisted's <c>_ProducerMembrane</c>):
    /// it passes that on to the application's producer.
    /// </summary>
    private sealed class Membrane(TlsProtocol owner) : IPushProducer
    {
        public void PauseProducing()
        {
            owner._membranePaused = true;
            owner.PauseAppProducer();
        }

        public void ResumeProducing()
        {
            owner._membranePaused = false;
            owner.ResumeAppProducer();
        }

        public void StopProducing()
        {
        }
    }

    public override string ToString() => $"<TLS over {(_lower as object)?.ToString() ?? "nothing"}>";
}
