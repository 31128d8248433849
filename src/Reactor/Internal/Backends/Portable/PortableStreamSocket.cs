using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Linux;
using Reactor.Internal.Streams;
using Reactor.Internal.Unix;

namespace Reactor.Internal.Backends.Portable;

/// <summary>
/// The portable backend's stream socket: readiness built on .NET's asynchronous <see cref="Socket"/>, with every read and
/// write done synchronously on a non-blocking socket on the reactor thread (the overloads that return a
/// <see cref="SocketError"/> instead of throwing, so a drained socket costs no exception).
/// </summary>
/// <remarks>
/// <para><b>Readable.</b> While reading is wanted one zero-byte <c>ReceiveAsync</c> is kept outstanding: a pure readiness
/// wait on every OS (it consumes nothing). Its completion is queued onto the reactor thread, which calls
/// <see cref="IStreamSocketHandler.OnReadable"/> and re-arms it — level-triggered, like epoll. An error the probe
/// met (a reset) is kept and returned by the next read.</para>
/// <para><b>Writable.</b> .NET cannot wait for "writable"; while writing is wanted the socket polls every millisecond on
/// the reactor's timers (as the portable datagram socket does). It is needed only after a send could not take
/// everything.</para>
/// <para><b>Connect.</b> <c>ConnectAsync</c>; its completion counts as "writable", as a non-blocking connect's does on
/// epoll, and <see cref="ConnectResult"/> reports how it ended.</para>
/// </remarks>
internal sealed class PortableStreamSocket : IStreamSocket, IPeerCredentialsSource
{
    private static readonly SendOrPostCallback ReadableOnReactor = static state => ((PortableStreamSocket)state!).OnProbeCompleted();
    private static readonly SendOrPostCallback ConnectedOnReactor = static state => ((PortableStreamSocket)state!).OnConnectCompleted();

    private readonly PortableReactor _reactor;
    private readonly Socket _socket;
    private readonly Action _writableTimerFired;
    private SocketAsyncEventArgs? _probe;
    private SocketAsyncEventArgs? _connect;
    private List<ArraySegment<byte>>? _gather;
    private IStreamSocketHandler? _handler;
    private bool _reading;
    private bool _writing;
    private bool _probePending;
    private bool _connectPending;
    private SocketError _connectResult = SocketError.NotConnected;
    private SocketError _pendingError = SocketError.Success;
    private IDelayedCall? _writableTimer;
    private volatile bool _disposed;

    /// <summary>A new socket of <paramref name="family"/> (for a connect).</summary>
    internal PortableStreamSocket(PortableReactor reactor, AddressFamily family)
        : this(reactor, new Socket(family, SocketType.Stream, family == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp))
    {
    }

    /// <summary>Wraps a connected or accepted socket.</summary>
    internal PortableStreamSocket(PortableReactor reactor, Socket socket)
    {
        _reactor = reactor;
        _socket = socket;
        _socket.Blocking = false;
        AddressFamily = socket.AddressFamily;
        _writableTimerFired = OnWritableTimer;
    }

    public AddressFamily AddressFamily { get; }

    /// <summary>Test hook: errors scripted to replace this socket's next calls (see <see cref="SocketFaults"/>).</summary>
    internal SocketFaults? Faults { get; set; }

    /// <summary>The .NET socket, for tests.</summary>
    internal Socket Socket => _socket;

    public bool NoDelay
    {
        get => _socket.NoDelay;
        set => _socket.NoDelay = value;
    }

    public bool KeepAlive
    {
        get => (int)_socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)! != 0;
        set => _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, value);
    }

    // ---- Connect --------------------------------------------------------------------------------------------------

    public SocketError Bind(EndPoint local)
    {
        try
        {
            _socket.Bind(local);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    public SocketError Connect(EndPoint remote)
    {
        var connect = _connect = new SocketAsyncEventArgs { RemoteEndPoint = remote };
        connect.Completed += (_, _) =>
        {
            if (!_disposed)
            {
                _reactor.PostFromAnyThread(ConnectedOnReactor, this);
            }
        };

        if (Faults is not null && Scripted(SocketCall.Connect, out var injected))
        {
            return injected;
        }

        _connectPending = true;
        bool pending;
        try
        {
            pending = _socket.ConnectAsync(connect);
        }
        catch (SocketException e)
        {
            _connectPending = false;
            return e.SocketErrorCode;
        }

        if (pending)
        {
            return SocketError.InProgress;
        }

        _connectPending = false;
        _connectResult = connect.SocketError;
        return _connectResult;
    }

    public SocketError ConnectResult()
    {
        if (_connectPending)
        {
            return SocketError.InProgress;
        }

        return Faults is not null && Scripted(SocketCall.ConnectResult, out var injected) ? injected : _connectResult;
    }

    public EndPoint GetLocalEndPoint() => Copy(_socket.LocalEndPoint);

    public EndPoint GetRemoteEndPoint() => Copy(_socket.RemoteEndPoint);

    public bool TryGetPeerCredentials(out int processId, out uint userId, out uint groupId)
    {
        (processId, userId, groupId) = (0, 0, 0);
        if (!OperatingSystem.IsLinux() || AddressFamily != AddressFamily.Unix)
        {
            return false;
        }

        Span<byte> credentials = stackalloc byte[12]; // struct ucred
        try
        {
            if (_socket.GetRawSocketOption(Interop.SOL_SOCKET, Interop.SO_PEERCRED, credentials) < 12)
            {
                return false;
            }
        }
        catch (SocketException)
        {
            return false;
        }

        processId = BinaryPrimitives.ReadInt32LittleEndian(credentials);
        userId = BinaryPrimitives.ReadUInt32LittleEndian(credentials[4..]);
        groupId = BinaryPrimitives.ReadUInt32LittleEndian(credentials[8..]);
        return true;
    }

    // ---- Data -----------------------------------------------------------------------------------------------------

    public int Receive(Span<byte> buffer, out SocketError error)
    {
        if (_pendingError != SocketError.Success)
        {
            // What the readiness probe took from the socket (see OnProbeCompleted).
            error = _pendingError;
            _pendingError = SocketError.Success;
            return 0;
        }

        if (Faults is not null && Scripted(SocketCall.Receive, out error))
        {
            return 0;
        }

        var received = _socket.Receive(buffer, SocketFlags.None, out error);
        return error == SocketError.Success ? received : 0;
    }

    public int Send(ReadOnlySpan<byte> data, out SocketError error)
    {
        if (Faults is not null && Scripted(SocketCall.Send, out error))
        {
            return 0;
        }

        var sent = _socket.Send(data, SocketFlags.None, out error);
        return error == SocketError.Success ? sent : 0;
    }

    public int Send(ReadOnlySpan<ArraySegment<byte>> segments, out SocketError error)
    {
        if (Faults is not null && Scripted(SocketCall.Send, out error))
        {
            return 0;
        }

        var gather = _gather ??= new List<ArraySegment<byte>>(StreamLoop.MaxSegments);
        gather.Clear();
        foreach (var segment in segments)
        {
            gather.Add(segment);
        }

        var sent = _socket.Send(gather, SocketFlags.None, out error);
        gather.Clear();
        return error == SocketError.Success ? sent : 0;
    }

    public SocketError Shutdown(SocketShutdown how)
    {
        try
        {
            _socket.Shutdown(how);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            return SocketError.NotConnected;
        }
    }

    // ---- Readiness ------------------------------------------------------------------------------------------------

    public void Watch(IStreamSocketHandler handler, bool reading, bool writing)
    {
        if (_disposed)
        {
            return;
        }

        _handler = handler;
        _reading = reading;
        if (reading)
        {
            ArmProbe();
        }

        // A connect in progress reports through its own completion; otherwise writability is polled.
        _writing = writing;
        if (writing && !_connectPending)
        {
            _writableTimer ??= _reactor.CallLater(TimeSpan.FromMilliseconds(1), _writableTimerFired);
        }
        else if (!writing)
        {
            CancelWritableTimer();
        }
    }

    private void ArmProbe()
    {
        if (_probePending || _disposed)
        {
            return;
        }

        if (_probe is null)
        {
            _probe = new SocketAsyncEventArgs();
            _probe.SetBuffer(Memory<byte>.Empty);
            _probe.Completed += (_, _) =>
            {
                if (!_disposed)
                {
                    _reactor.PostFromAnyThread(ReadableOnReactor, this);
                }
            };
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
            // Completed at once: still report through the queue, so the handler is never re-entered.
            _reactor.PostFromAnyThread(ReadableOnReactor, this);
        }
    }

    private void OnProbeCompleted()
    {
        _probePending = false;
        if (_disposed)
        {
            return;
        }

        // A zero-byte receive that meets a reset takes the socket's error with it (Linux clears sk_err on any recv), so
        // the next read would see a clean end of stream instead: keep the error for that read.
        if (_probe!.SocketError is not (SocketError.Success or SocketError.OperationAborted or SocketError.WouldBlock))
        {
            _pendingError = _probe.SocketError;
        }

        if (!_reading || _handler is not { } handler)
        {
            return;
        }

        try
        {
            handler.OnReadable();
        }
        catch (Exception e)
        {
            _reactor.LogCallbackError(nameof(IStreamSocketHandler.OnReadable), e);
        }

        if (_reading && !_disposed)
        {
            ArmProbe();
        }
    }

    private void OnConnectCompleted()
    {
        if (_disposed || _connect is not { } connect)
        {
            return;
        }

        _connectPending = false;
        _connectResult = connect.SocketError;
        if (_writing && _handler is { } handler)
        {
            try
            {
                handler.OnWritable();
            }
            catch (Exception e)
            {
                _reactor.LogCallbackError(nameof(IStreamSocketHandler.OnWritable), e);
            }
        }
    }

    private void OnWritableTimer()
    {
        _writableTimer = null;
        if (!_writing || _disposed)
        {
            return;
        }

        bool writable;
        try
        {
            writable = _socket.Poll(0, SelectMode.SelectWrite) || _socket.Poll(0, SelectMode.SelectError);
        }
        catch (SocketException)
        {
            writable = true; // Let the next send meet the error.
        }

        if (writable && _handler is { } handler)
        {
            try
            {
                handler.OnWritable();
            }
            catch (Exception e)
            {
                _reactor.LogCallbackError(nameof(IStreamSocketHandler.OnWritable), e);
            }
        }

        if (_writing && !_disposed)
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

    // ---- Close ----------------------------------------------------------------------------------------------------

    public void Abort()
    {
        if (_disposed)
        {
            return;
        }

        // Close with a zero timeout makes the close a reset (what Kestrel does for an abort).
        _disposed = true;
        _reading = false;
        _writing = false;
        CancelWritableTimer();
        _socket.Close(0);
        _probe?.Dispose();
        _connect?.Dispose();
        _handler = null;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _reading = false;
        _writing = false;
        CancelWritableTimer();

        // Closing aborts the outstanding probe and connect; their completions see _disposed and report nothing.
        _socket.Dispose();
        _probe?.Dispose();
        _connect?.Dispose();
        _handler = null;
    }

    public override string ToString() => $"PortableStreamSocket({AddressFamily})";

    /// <summary>
    /// Whether the test script fails this call, and with what. .NET retries EINTR inside its own calls and never reports
    /// it, so a scripted EINTR is used up and the call goes on (to the next scripted failure, or the real call).
    /// </summary>
    private bool Scripted(SocketCall call, out SocketError error)
    {
        while (Faults!.Fails(call, out error))
        {
            if (error != SocketError.Interrupted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A copy of an IP endpoint (.NET caches these endpoints, and <see cref="IPEndPoint"/> is mutable); a UNIX one is immutable.</summary>
    internal static EndPoint Copy(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint ip => new IPEndPoint(ip.Address, ip.Port),
        UnixDomainSocketEndPoint unix => unix,
        _ => throw new SocketException((int)SocketError.NotConnected),
    };
}
