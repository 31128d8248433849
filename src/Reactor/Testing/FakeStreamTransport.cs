using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Reactor.Internal.Streams;

namespace Reactor.Testing;

/// <summary>
/// A TCP transport for unit tests, with no socket behind it (Twisted's <c>proto_helpers.StringTransport</c> and
/// <c>StringTransportWithDisconnection</c>, made to behave as a real connection does): it records every byte the
/// protocol writes (<see cref="Written"/>), and the test plays the peer and the kernel — it delivers data with
/// <see cref="Receive(ReadOnlySpan{byte})"/>, the peer's close with <see cref="ReceiveFin"/>, a reset with
/// <see cref="ReceiveReset"/>, and a full send buffer with <see cref="FillSendBuffer"/> / <see cref="DrainSendBuffer"/>.
/// </summary>
/// <remarks>
/// <para><b>Same rules as a real transport.</b> <see cref="Protocol.ConnectionLost"/> runs exactly once, never from
/// inside one of the protocol's own calls; writes after <see cref="LoseConnection"/>, <see cref="AbortConnection"/> or
/// <see cref="LoseWriteConnection"/> are dropped (and counted in <see cref="WritesDropped"/>); <see cref="LoseConnection"/>
/// sends what is buffered first and waits for a registered producer to unregister; a streaming producer is paused once
/// when <see cref="BufferedBytes"/> rises above <see cref="HighWatermark"/> and resumed once when it falls to
/// <see cref="LowWatermark"/>; a pull producer is asked for a chunk when it registers and whenever the buffer has
/// drained; a paused transport (<see cref="Paused"/>) holds received data until it is resumed; an exception a protocol
/// callback throws closes the connection with that exception as the reason (and is kept in
/// <see cref="CallbackErrors"/>). The same specification runs over this fake and over real TCP
/// (<c>tests/Reactor.Tests/Streams/StreamTransportSpec.cs</c>).</para>
/// <para><b>When things happen.</b> Everything runs synchronously on the calling thread. What a protocol sets in motion
/// from inside a call this fake is making (<see cref="Attach"/>, <see cref="Receive(ReadOnlySpan{byte})"/>,
/// <see cref="ReceiveFin"/>, <see cref="ReceiveReset"/>, <see cref="DrainSendBuffer"/>, <see cref="Pump"/>) — a close,
/// a half-close, delivering data held while paused — happens when that callback has returned, before the fake's call
/// returns: so after <c>transport.Receive("QUIT\r\n")</c> a protocol that called <see cref="LoseConnection"/> has
/// already heard <see cref="Protocol.ConnectionLost"/> with a <see cref="ConnectionDoneException"/>, as with Twisted's
/// <c>StringTransportWithDisconnection</c>. What is set in motion outside such a call (by the test itself, or by a timer
/// the test fires with a <see cref="Clock"/>) waits for the next <see cref="Pump"/>, which plays one turn of the
/// reactor's loop — as a real transport finishes it after the current callback.</para>
/// <para>The kernel takes every write at once (it lands in <see cref="Written"/>) until <see cref="FillSendBuffer"/>;
/// then writes wait in the transport's buffer, as on a connection whose peer stopped reading. Small writes made inside a
/// callback the fake is running are gathered and land when the callback returns, as a real transport sends a
/// dispatch's writes together.</para>
/// <para>Not thread-safe, like the reactor: use it from the test's thread.</para>
/// </remarks>
/// <example>
/// <code>
/// var transport = new FakeStreamTransport().Attach(new Echo());
/// transport.Receive("ping");
/// // transport.TakeWrittenText() is "ping"
/// transport.ReceiveFin();
/// // transport.Closed is true; the protocol heard ConnectionLost(ConnectionDoneException)
/// </code>
/// </example>
public sealed partial class FakeStreamTransport : ITcpTransport
{
    private static readonly TcpOptions Defaults = new();

    private readonly IPEndPoint _host;
    private readonly IPEndPoint _peer;
    private readonly List<byte> _written = [];
    private readonly List<byte> _buffered = [];
    private readonly List<byte> _unread = [];
    private readonly List<Exception> _callbackErrors = [];
    private Protocol? _protocol;
    private State _state;
    private int _depth;
    private bool _serviceRequested;
    private bool _sendBufferFull;
    private bool _finPending;
    private SocketError? _resetPending;
    private bool _peerClosed;
    private bool _peerReset;
    private bool _readEnded;
    private bool _writeShutdownRequested;
    private Exception? _closeReason;
    private bool _closeNow;
    private bool _closeWaitsForProducer;
    private bool _abort;
    private IProducer? _producer;
    private bool _producerStreaming;
    private int _highWatermark = Defaults.HighWatermark;
    private int _lowWatermark = Defaults.LowWatermark;
    private bool _noDelay = Defaults.NoDelay;
    private bool _keepAlive;

    /// <summary>Creates a transport with the given addresses; attach the protocol under test with <see cref="Attach"/>.</summary>
    /// <param name="host">What <see cref="GetHost"/> answers; <c>null</c> for <c>10.0.0.1:12345</c> (Twisted's default).</param>
    /// <param name="peer">What <see cref="GetPeer"/> answers; <c>null</c> for <c>192.168.1.1:54321</c> (Twisted's default).</param>
    public FakeStreamTransport(IPEndPoint? host = null, IPEndPoint? peer = null)
    {
        _host = host ?? new IPEndPoint(IPAddress.Parse("10.0.0.1"), 12345);
        _peer = peer ?? new IPEndPoint(IPAddress.Parse("192.168.1.1"), 54321);
    }

    private enum State
    {
        Unattached,
        Open,
        Closing,
        Closed,
    }

    /// <summary>The protocol attached with <see cref="Attach"/>, or <c>null</c>.</summary>
    public Protocol? Protocol => _protocol;

    /// <summary>Every byte the kernel has taken so far (what the peer would read), in order, since the last <see cref="TakeWritten"/>.</summary>
    public IReadOnlyList<byte> Written => _written;

    /// <summary><see cref="Written"/> decoded as UTF-8.</summary>
    public string WrittenText => Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(_written));

    /// <summary>How many writes were dropped because they came after <see cref="LoseConnection"/>, <see cref="AbortConnection"/>, <see cref="LoseWriteConnection"/> or the connection's end.</summary>
    public int WritesDropped { get; private set; }

    /// <summary>Bytes given to <see cref="Receive(ReadOnlySpan{byte})"/> that the protocol has not been handed yet, because the transport is paused (a real one leaves them in the kernel).</summary>
    public int UnreadBytes => _unread.Count;

    /// <summary>Whether the protocol has paused this transport (<see cref="PauseProducing"/>): received data is held until <see cref="ResumeProducing"/>.</summary>
    public bool Paused { get; private set; }

    /// <summary>Whether <see cref="FillSendBuffer"/> is in force: writes wait in the transport's buffer.</summary>
    public bool SendBufferFull => _sendBufferFull;

    /// <summary>The registered producer (<see cref="RegisterProducer"/>), or <c>null</c>.</summary>
    public IProducer? Producer => _producer;

    /// <summary>Whether the registered producer is a streaming one (an <see cref="IPushProducer"/>); <c>false</c> when none is registered.</summary>
    public bool ProducerStreaming => _producer is not null && _producerStreaming;

    /// <summary>Whether this transport has paused the registered streaming producer because <see cref="BufferedBytes"/> rose above <see cref="HighWatermark"/>.</summary>
    public bool ProducerPaused { get; private set; }

    /// <summary>Whether the connection has ended: the protocol's <see cref="Protocol.ConnectionLost"/> has run.</summary>
    public bool Closed => _state == State.Closed;

    /// <summary>Whether the connection ended with a reset sent to the peer: <see cref="AbortConnection"/>, or an exception from <see cref="Protocol.ConnectionMade"/>.</summary>
    public bool Aborted { get; private set; }

    /// <summary>Whether the peer has been sent end of stream (a FIN): a <see cref="LoseWriteConnection"/> went through, or the connection closed without a reset.</summary>
    public bool EndOfStreamSent { get; private set; }

    /// <summary>Every exception a protocol or producer callback threw, in order (a real transport logs them). The first closed the connection, with itself as the reason.</summary>
    public IReadOnlyList<Exception> CallbackErrors => _callbackErrors;

    /// <inheritdoc/>
    public bool Disconnecting => _state is State.Closing or State.Closed;

    /// <inheritdoc/>
    public long BufferedBytes => _buffered.Count;

    /// <inheritdoc/>
    public int HighWatermark
    {
        get => _highWatermark;
        set => _highWatermark = TransportArguments.HighWatermark(value, _lowWatermark);
    }

    /// <inheritdoc/>
    public int LowWatermark
    {
        get => _lowWatermark;
        set => _lowWatermark = TransportArguments.LowWatermark(value, _highWatermark);
    }

    /// <summary>TCP_NODELAY as the protocol last set it (<c>true</c> at first, Reactor's default). Recorded only.</summary>
    /// <exception cref="InvalidOperationException">The connection has closed.</exception>
    public bool NoDelay
    {
        get => VerifyOpen(_noDelay);
        set => _noDelay = VerifyOpen(value);
    }

    /// <summary>SO_KEEPALIVE as the protocol last set it (<c>false</c> at first). Recorded only.</summary>
    /// <exception cref="InvalidOperationException">The connection has closed.</exception>
    public bool KeepAlive
    {
        get => VerifyOpen(_keepAlive);
        set => _keepAlive = VerifyOpen(value);
    }

    /// <summary>Called after the protocol's <see cref="Protocol.ConnectionLost"/> (a <see cref="MemoryConnector"/> tells its factory here).</summary>
    internal Action<Failure>? OnClosed { get; set; }

    // ---- The test's side: connect, receive, the kernel, the loop --------------------------------------------------

    /// <summary>
    /// Connects <paramref name="protocol"/> to this transport, as the reactor does for a new connection: calls its
    /// <see cref="Protocol.MakeConnection"/>, which sets <see cref="Protocol.Transport"/> and runs
    /// <see cref="Protocol.ConnectionMade"/>. An exception from it aborts the connection, with itself as the reason.
    /// </summary>
    /// <param name="protocol">The protocol under test.</param>
    /// <returns>This transport, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A protocol is already attached.</exception>
    public FakeStreamTransport Attach(Protocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        if (_state != State.Unattached)
        {
            throw new InvalidOperationException("This FakeStreamTransport already has a protocol; create a new one.");
        }

        _protocol = protocol;
        _state = State.Open;
        _depth++;
        try
        {
            protocol.MakeConnection(this);
        }
        catch (Exception e)
        {
            Failed(e, abort: true);
        }

        EndCall();
        return this;
    }

    /// <summary>
    /// Plays <paramref name="data"/> arriving from the peer: the protocol's <see cref="Protocol.DataReceived"/> runs with
    /// it, in calls of at most 64 KiB (as a real transport reads), before this returns. While the transport is
    /// <see cref="Paused"/> the data is held (<see cref="UnreadBytes"/>) and delivered, in order, once resumed. Once the
    /// connection is closing or closed, the data is discarded, as a real transport has stopped reading.
    /// </summary>
    /// <param name="data">The bytes; empty delivers nothing.</param>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the peer has already closed or reset (<see cref="ReceiveFin"/>, <see cref="ReceiveReset"/>).</exception>
    public void Receive(ReadOnlySpan<byte> data)
    {
        VerifyPeerCanSend();
        if (_state != State.Open || data.IsEmpty)
        {
            return;
        }

        _depth++;
        _unread.AddRange(data);
        ReadUnread();
        EndCall();
    }

    /// <summary>Plays <paramref name="text"/>, encoded as UTF-8, arriving from the peer (see <see cref="Receive(ReadOnlySpan{byte})"/>).</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the peer has already closed or reset.</exception>
    public void Receive(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Receive(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Plays the peer's clean close (its FIN), after any data it sent. A protocol that implements
    /// <see cref="IHalfCloseableProtocol"/> hears <see cref="IHalfCloseableProtocol.ReadConnectionLost"/> and the
    /// connection stays open for writing; any other protocol's connection closes cleanly — after what it wrote has been
    /// sent — with a <see cref="ConnectionDoneException"/>. A paused transport sees the FIN only once resumed.
    /// </summary>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the peer has already closed or reset.</exception>
    public void ReceiveFin()
    {
        VerifyPeerCanSend();
        _peerClosed = true;
        _finPending = true;
        _depth++;
        ReadUnread();
        EndCall();
    }

    /// <summary>
    /// Plays the peer resetting the connection (an RST), after any data it sent: the connection is lost and the
    /// protocol's <see cref="Protocol.ConnectionLost"/> gets a <see cref="ConnectionLostException"/> with
    /// <paramref name="error"/>; what was buffered is discarded. As on a real socket, the transport notices the reset
    /// when it reads (after the data before it; a paused transport once resumed) or when it writes (at once if data is
    /// waiting in its buffer, else at the protocol's next write).
    /// </summary>
    /// <param name="error">The error a real read or write would report.</param>
    /// <exception cref="InvalidOperationException">No protocol is attached, or the peer has already reset.</exception>
    public void ReceiveReset(SocketError error = SocketError.ConnectionReset)
    {
        VerifyAttached();
        if (_peerReset)
        {
            throw new InvalidOperationException("The peer has already reset the connection.");
        }

        _peerClosed = true;
        _peerReset = true;
        _resetPending = error;
        _depth++;
        ReadUnread();
        NoticeResetWhileWriting();
        EndCall();
    }

    /// <summary>
    /// Plays a kernel send buffer that is full, as when the peer stops reading: from now on writes wait in the
    /// transport's buffer (<see cref="BufferedBytes"/>), which pauses a streaming producer above
    /// <see cref="HighWatermark"/>, until <see cref="DrainSendBuffer"/>.
    /// </summary>
    public void FillSendBuffer() => _sendBufferFull = true;

    /// <summary>
    /// Plays the kernel taking up to <paramref name="bytes"/> of the transport's buffer (all of it when <c>null</c>):
    /// they move to <see cref="Written"/>. Then, as a real transport does when its socket drains, a paused streaming
    /// producer is resumed if the buffer is now at or below <see cref="LowWatermark"/>, a pull producer is asked for
    /// more if the buffer is empty, and a waiting <see cref="LoseConnection"/> or <see cref="LoseWriteConnection"/>
    /// completes. Once everything has been taken the send buffer is no longer full: later writes reach
    /// <see cref="Written"/> at once.
    /// </summary>
    /// <param name="bytes">How many bytes the kernel takes; <c>null</c> for all.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public void DrainSendBuffer(long? bytes = null)
    {
        if (bytes is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(limit);
        }

        var taken = (int)Math.Min(bytes ?? long.MaxValue, _buffered.Count);
        _written.AddRange(CollectionsMarshal.AsSpan(_buffered)[..taken]);
        _buffered.RemoveRange(0, taken);
        if (_buffered.Count == 0)
        {
            _sendBufferFull = false;
        }

        if (_state is State.Unattached or State.Closed)
        {
            return;
        }

        _depth++;
        ResumeProducerIfDrained(askPullProducer: true);
        _serviceRequested = true;
        EndCall();
    }

    /// <summary>
    /// Plays one turn of the reactor's loop for this connection: finishes what the protocol set in motion outside the
    /// fake's own calls (a <see cref="LoseConnection"/>, <see cref="AbortConnection"/> or <see cref="LoseWriteConnection"/>
    /// made by the test or a timer, data held while paused after a <see cref="ResumeProducing"/>), and asks a registered
    /// pull producer for its next chunk if nothing is buffered (once per call, where a real transport asks until the
    /// kernel is full).
    /// </summary>
    public void Pump()
    {
        if (_state is State.Unattached or State.Closed)
        {
            return;
        }

        _depth++;
        if (_producer is not null && !_producerStreaming && _buffered.Count == 0)
        {
            ResumeProducerIfDrained(askPullProducer: true);
        }

        _serviceRequested = true;
        EndCall();
    }

    /// <summary>Returns what the kernel has taken so far (<see cref="Written"/>) and forgets it.</summary>
    /// <returns>The bytes, in order.</returns>
    public byte[] TakeWritten()
    {
        var bytes = _written.ToArray();
        _written.Clear();
        return bytes;
    }

    /// <summary>Returns what the kernel has taken so far, decoded as UTF-8, and forgets it.</summary>
    /// <returns>The text.</returns>
    public string TakeWrittenText()
    {
        var text = WrittenText;
        _written.Clear();
        return text;
    }
}
