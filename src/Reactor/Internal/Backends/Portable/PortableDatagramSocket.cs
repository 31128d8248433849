using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends.Portable;

/// <summary>
/// The PortableReactor backend's datagram socket: readiness notifications built on .NET's asynchronous
/// <see cref="Socket"/>, with every read and write done synchronously on a non-blocking socket on the reactor thread.
/// </summary>
/// <remarks>
/// <para>
/// .NET offers completions, not readiness. To learn "a datagram is waiting" without taking it, one zero-length
/// <see cref="SocketFlags.Peek"/> receive (the <i>probe</i>) is kept outstanding while reading is wanted. Any completion
/// (data, truncation, an ICMP error) is queued onto the reactor thread, which calls
/// <see cref="IDatagramSocketHandler.OnReadable"/>; the port then drains with <see cref="Receive"/>, and the probe is
/// re-armed. A peek never consumes a datagram, so a notification the port ignores, or reading stopped with datagrams
/// still queued, just makes the next probe complete at once (level-triggered, like epoll). The peek matters on Windows,
/// where a zero-length read takes the datagram; .NET on Unix treats any zero-byte receive without flags as a pure
/// readiness wait and never consumes, but with <see cref="SocketFlags.Peek"/> it does call recv (observed, .NET 10).
/// </para>
/// <para>
/// A peek does consume a pending socket error on Linux (<c>sock_error()</c> clears <c>sk_err</c> whatever the flags),
/// so an error the probe saw is kept in <see cref="_pendingError"/> and reported by the next <see cref="Receive"/> that
/// finds the socket drained. If the OS left the error in place (it reappears on the read), it is reported once.
/// </para>
/// <para>
/// .NET cannot wait for "writable" on a datagram socket, so <see cref="SetWantWritable"/> polls every millisecond on
/// the reactor's timers until the send buffer has room; it is needed only after a send returned WouldBlock.
/// </para>
/// </remarks>
internal sealed class PortableDatagramSocket : IDatagramSocket
{
    /// <summary>The default <see cref="ReceiveBufferSize"/>: Twisted's <c>maxPacketSize</c>.</summary>
    internal const int DefaultReceiveBufferSize = 8192;

    // Windows reports an ICMP port-unreachable as WSAECONNRESET on the next read; on an unconnected socket that would
    // break reads for every peer (dotnet/corefx#33049), so it is off until Connect (Twisted's refuse list needs it then).
    private const int SioUdpConnReset = -1744830452;

    private static readonly SendOrPostCallback ProbeCompletedOnReactor = static state => ((PortableDatagramSocket)state!).OnProbeCompleted();
    private static readonly SendOrPostCallback PendingErrorOnReactor = static state => ((PortableDatagramSocket)state!).OnPendingErrorNotification();
    private static readonly Func<PortableDatagramSocket, IPEndPoint> DecodeSender = static socket => socket.DecodeReceivedAddress();

    private readonly PortableReactor _reactor;
    private readonly Socket _socket;
    private readonly SocketAsyncEventArgs _probe;
    private readonly SocketAddress _receivedAddress;
    private readonly IPEndPoint _endPointFactory;
    private readonly EndPointCache _senders = new();
    private readonly Action _writableTimerFired;
    private byte[] _receiveBuffer = [];
    private int _receiveBufferSize = DefaultReceiveBufferSize;
    private IDatagramSocketHandler? _handler;
    private bool _reading;
    private bool _probePending;
    private bool _pendingErrorNotificationQueued;
    private SocketError _pendingError = SocketError.Success;
    private bool _wantWritable;
    private IDelayedCall? _writableTimer;
    private IPEndPoint? _lastDestination;
    private IPAddress? _lastDestinationAddress;
    private int _lastDestinationPort;
    private SocketAddress? _lastDestinationSocketAddress;
    private int _probeCompletions;
    private volatile bool _disposed;

    internal PortableDatagramSocket(PortableReactor reactor, AddressFamily family)
        : this(reactor, family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? new Socket(family, SocketType.Dgram, ProtocolType.Udp)
            : throw new ArgumentOutOfRangeException(nameof(family), family, "Only IPv4 and IPv6 datagram sockets exist."))
    {
    }

    /// <summary>Wraps a UDP socket (an adopted one).</summary>
    internal PortableDatagramSocket(PortableReactor reactor, Socket socket)
    {
        var family = socket.AddressFamily;
        _reactor = reactor;
        AddressFamily = family;
        _socket = socket;
        _socket.Blocking = false;
        if (OperatingSystem.IsWindows())
        {
            SetWindowsConnectionResetReporting(false);
        }

        _probe = new SocketAsyncEventArgs();
        _probe.SetBuffer(Memory<byte>.Empty);
        _probe.SocketFlags = SocketFlags.Peek;
        _probe.Completed += OnProbeCompletedOnAnyThread;
        _receivedAddress = new SocketAddress(family);
        _endPointFactory = new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        _writableTimerFired = OnWritableTimer;
    }

    public AddressFamily AddressFamily { get; }

    /// <summary>
    /// The largest datagram delivered whole (the port's maxPacketSize); a longer one is reported as truncated.
    /// One extra byte is read so that truncation shows on every OS (Linux returns the cut length with no error).
    /// </summary>
    public int ReceiveBufferSize
    {
        get => _receiveBufferSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _receiveBufferSize = value;
        }
    }

    /// <summary>The .NET socket, for tests (descriptor checks) and diagnostics.</summary>
    internal Socket Socket => _socket;

    /// <summary>Test hook: errors scripted to replace this socket's next reads or writes (see <see cref="SocketFaults"/>).</summary>
    internal SocketFaults? Faults { get; set; }

    public SocketError SetRawOption(int level, int name, ReadOnlySpan<byte> value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            _socket.SetRawSocketOption(level, name, value);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    public SocketError GetRawOption(int level, int name, Span<byte> value, out int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            length = _socket.GetRawSocketOption(level, name, value);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            length = 0;
            return e.SocketErrorCode;
        }
    }

    /// <summary>How many probe completions were queued to the reactor thread; lets tests wait for one.</summary>
    internal int ProbeCompletions => Volatile.Read(ref _probeCompletions);

    public bool Broadcast
    {
        get => _socket.EnableBroadcast;
        set => _socket.EnableBroadcast = value;
    }

    public SocketError Bind(IPEndPoint endpoint, bool reuse)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        try
        {
            if (reuse)
            {
                if (OperatingSystem.IsWindows())
                {
                    _socket.ExclusiveAddressUse = false;
                }

                // On Unix .NET sets SO_REUSEPORT along with SO_REUSEADDR for this option (dotnet/corefx#32046).
                _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            if (AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            _socket.Bind(endpoint);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    public IPEndPoint GetLocalEndPoint()
    {
        // A copy: .NET caches LocalEndPoint, and IPEndPoint is mutable.
        var local = (IPEndPoint)_socket.LocalEndPoint!;
        return new IPEndPoint(local.Address, local.Port);
    }

    public SocketError Connect(IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // A connected port wants the refusal: Twisted calls connectionRefused() for WSAECONNRESET.
                SetWindowsConnectionResetReporting(true);
            }

            // A UDP connect only records the peer, so it completes at once even on a non-blocking socket.
            _socket.Connect(remote);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    public int Receive(IDatagramSink sink, int maxDatagrams, int maxBytes, out SocketError error)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_receiveBuffer.Length != _receiveBufferSize + 1)
        {
            _receiveBuffer = GC.AllocateUninitializedArray<byte>(_receiveBufferSize + 1);
        }

        var buffer = _receiveBuffer.AsSpan();
        var datagrams = 0;
        var bytes = 0;
        while (datagrams < maxDatagrams && bytes < maxBytes)
        {
            if (_disposed)
            {
                // The sink closed the port: end quietly, like Twisted's maxThroughput = -1 in connectionLost.
                error = SocketError.WouldBlock;
                return datagrams;
            }

            if (datagrams > 0 && !_socket.Poll(0, SelectMode.SelectRead))
            {
                // Drained. Asking first costs a poll() per datagram but spares the SocketException (an allocation
                // and a stack walk) that a non-blocking read would throw at the end of every drain. The first read is
                // not checked: a notification says something is there.
                error = DrainedError(TakePendingError());
                return datagrams;
            }

            int received;
            _receivedAddress.Size = _receivedAddress.Buffer.Length; // ReceiveFrom rejects a SocketAddress shrunk by the last read.
            try
            {
                Faults?.ThrowIfScripted(SocketCall.Receive);
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, _receivedAddress);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                // Windows: longer than even the extra byte. The datagram is gone, as on any truncation.
                datagrams++;
                bytes += _receiveBufferSize;
                sink.OnTruncated(Sender());
                continue;
            }
            catch (SocketException e)
            {
                // A real error wins over a kept one: it is the same ICMP error when the OS left it in place. One that
                // only ends the read (drained, interrupted) leaves the kept error to be reported.
                var kept = TakePendingError();
                error = FromPlatform(e.SocketErrorCode);
                error = UdpErrors.Classify(error, UdpOperation.Receive) == UdpErrorKind.Ignore ? DrainedError(kept) : error;
                return datagrams;
            }

            datagrams++;
            if (received > _receiveBufferSize)
            {
                bytes += _receiveBufferSize;
                sink.OnTruncated(Sender());
                continue;
            }

            bytes += received;
            sink.OnDatagram(buffer[..received], Sender());
        }

        error = SocketError.Success;
        return datagrams;
    }

    public SocketError Send(ReadOnlySpan<byte> datagram, IPEndPoint? destination)
    {
        SocketError error;
        do
        {
            // EINTR is retried, as the epoll socket does (.NET retries it itself on Unix; Windows has WSAEINTR).
            error = SendOnce(datagram, destination);
        }
        while (error == SocketError.Interrupted);

        return error;
    }

    /// <summary>Nothing to flush: every <see cref="Send"/> goes to the kernel at once (.NET has no sendmmsg).</summary>
    public void FlushCoalesced()
    {
    }

    private SocketError SendOnce(ReadOnlySpan<byte> datagram, IPEndPoint? destination)
    {
        try
        {
            Faults?.ThrowIfScripted(SocketCall.Send);
            if (destination is null)
            {
                _socket.Send(datagram, SocketFlags.None);
            }
            else
            {
                var address = DestinationAddress(destination);
                if (address is null)
                {
                    return SocketError.AddressFamilyNotSupported;
                }

                _socket.SendTo(datagram, SocketFlags.None, address);
            }

            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return FromPlatform(e.SocketErrorCode);
        }
    }

    public void SetBufferSizes(int receiveBufferSize, int sendBufferSize)
    {
        if (receiveBufferSize > 0)
        {
            _socket.ReceiveBufferSize = receiveBufferSize;
        }

        if (sendBufferSize > 0)
        {
            _socket.SendBufferSize = sendBufferSize;
        }
    }

    public void StartReading(IDatagramSocketHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _reactor.VerifyAccess();
        ObjectDisposedException.ThrowIf(_disposed, this);
        _handler = handler;
        _reading = true;
        if (_pendingError != SocketError.Success && !_pendingErrorNotificationQueued)
        {
            // A probe took an error while reading was stopped; no new probe will see it again.
            _pendingErrorNotificationQueued = true;
            _reactor.PostFromAnyThread(PendingErrorOnReactor, this);
        }

        ArmProbe();
    }

    public void StopReading()
    {
        _reactor.VerifyAccess();

        // An outstanding probe cannot be cancelled without closing the socket; its completion is ignored instead, and
        // since it only peeked, the datagram it saw is still there for the next StartReading.
        _reading = false;
    }

    public void SetWantWritable(bool want)
    {
        _reactor.VerifyAccess();
        _wantWritable = want && !_disposed;
        if (_wantWritable)
        {
            _writableTimer ??= _reactor.CallLater(TimeSpan.FromMilliseconds(1), _writableTimerFired);
        }
        else
        {
            CancelWritableTimer();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _reading = false;
        _wantWritable = false;
        CancelWritableTimer();

        // Closing aborts the probe (OperationAborted); its completion sees _disposed and never reaches the handler.
        _socket.Dispose();
        _probe.Dispose();
        _handler = null;
    }

    /// <summary>
    /// The one Windows error that means something else on a datagram socket: an ICMP error can surface as WSAETIMEDOUT
    /// (Twisted's win32 refuse list). What each error means to the port is <see cref="UdpErrors"/>' table.
    /// </summary>
    private static SocketError FromPlatform(SocketError error) =>
        error == SocketError.TimedOut && OperatingSystem.IsWindows() ? SocketError.ConnectionRefused : error;

    private static SocketError DrainedError(SocketError kept) => kept == SocketError.Success ? SocketError.WouldBlock : kept;

    /// <summary>
    /// Takes the error a probe kept. It is reported by the read that finds the socket drained, or dropped when a read
    /// meets the error itself (macOS, and presumably Windows, leave it in place on a peek): once is enough.
    /// </summary>
    private SocketError TakePendingError()
    {
        var kept = _pendingError;
        _pendingError = SocketError.Success;
        return kept;
    }

    private void ArmProbe()
    {
        if (_probePending || !_reading || _disposed)
        {
            return;
        }

        _probePending = true;
        bool pending;
        try
        {
            pending = _socket.ReceiveAsync(_probe);
        }
        catch (ObjectDisposedException)
        {
            _probePending = false;
            return;
        }

        if (!pending)
        {
            // Completed synchronously: still report through the queue, so the handler is never re-entered.
            OnProbeCompletedOnAnyThread(_socket, _probe);
        }
    }

    private void OnProbeCompletedOnAnyThread(object? sender, SocketAsyncEventArgs probe)
    {
        if (_disposed)
        {
            return; // Aborted by Dispose (or raced with it): nothing to report, and the loop may be gone.
        }

        _reactor.PostFromAnyThread(ProbeCompletedOnReactor, this);
        Interlocked.Increment(ref _probeCompletions); // After the post: a test that saw the count knows it is queued.
    }

    private void OnProbeCompleted()
    {
        _probePending = false;
        if (_disposed)
        {
            return;
        }

        // Windows: MessageSize on the zero-byte peek means a datagram is waiting, not an error.
        var result = FromPlatform(_probe.SocketError);
        if (result != SocketError.MessageSize && UdpErrors.Classify(result, UdpOperation.Receive) != UdpErrorKind.Ignore)
        {
            _pendingError = result;
        }

        NotifyReadable();
    }

    private void OnPendingErrorNotification()
    {
        _pendingErrorNotificationQueued = false;
        if (!_disposed && _pendingError != SocketError.Success)
        {
            NotifyReadable();
        }
    }

    private void NotifyReadable()
    {
        if (!_reading)
        {
            return;
        }

        try
        {
            _handler!.OnReadable();
        }
        catch (Exception e)
        {
            _reactor.LogCallbackError(nameof(IDatagramSocketHandler.OnReadable), e);
        }

        ArmProbe();
    }

    private void OnWritableTimer()
    {
        _writableTimer = null;
        if (!_wantWritable || _disposed)
        {
            return;
        }

        bool writable;
        try
        {
            writable = _socket.Poll(0, SelectMode.SelectWrite);
        }
        catch (SocketException)
        {
            writable = true; // Let the port's next send meet the error.
        }

        if (writable && _handler is { } handler)
        {
            try
            {
                handler.OnWritable();
            }
            catch (Exception e)
            {
                _reactor.LogCallbackError(nameof(IDatagramSocketHandler.OnWritable), e);
            }
        }

        if (_wantWritable && !_disposed)
        {
            _writableTimer ??= _reactor.CallLater(TimeSpan.FromMilliseconds(1), _writableTimerFired);
        }
    }

    private void CancelWritableTimer()
    {
        if (_writableTimer is { Active: true } timer)
        {
            timer.Cancel();
        }

        _writableTimer = null;
    }

    private IPEndPoint Sender() =>
        _senders.GetOrAdd(_receivedAddress.Buffer.Span[.._receivedAddress.Size], this, DecodeSender);

    private IPEndPoint DecodeReceivedAddress()
    {
        try
        {
            return (IPEndPoint)_endPointFactory.Create(_receivedAddress);
        }
        catch (ArgumentException)
        {
            // Only after a Windows WSAEMSGSIZE, where the address may not have been written.
            return new IPEndPoint(_endPointFactory.Address, 0);
        }
    }

    /// <summary>The destination as a SocketAddress, cached for the last endpoint so repeated sends do not serialize.</summary>
    private SocketAddress? DestinationAddress(IPEndPoint destination)
    {
        // IPEndPoint is mutable, so the cache also checks the port and address it was built from.
        if (ReferenceEquals(destination, _lastDestination)
            && ReferenceEquals(destination.Address, _lastDestinationAddress)
            && destination.Port == _lastDestinationPort)
        {
            return _lastDestinationSocketAddress;
        }

        SocketAddress? address;
        if (destination.AddressFamily == AddressFamily)
        {
            address = destination.Serialize();
        }
        else if (AddressFamily == AddressFamily.InterNetworkV6 && destination.AddressFamily == AddressFamily.InterNetwork)
        {
            // An IPv4 peer of a dual-stack socket: the kernel takes it as a mapped address (or refuses if IPv6-only).
            address = new IPEndPoint(destination.Address.MapToIPv6(), destination.Port).Serialize();
        }
        else
        {
            return null;
        }

        _lastDestination = destination;
        _lastDestinationAddress = destination.Address;
        _lastDestinationPort = destination.Port;
        _lastDestinationSocketAddress = address;
        return address;
    }

    private void SetWindowsConnectionResetReporting(bool enabled) =>
        _socket.IOControl(SioUdpConnReset, [enabled ? (byte)1 : (byte)0, 0, 0, 0], null);
}
