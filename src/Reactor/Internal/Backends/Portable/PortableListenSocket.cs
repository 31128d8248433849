using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Linux;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Backends.Portable;

/// <summary>
/// The portable backend's listening socket: accepts with <c>AcceptAsync</c>, its completions queued onto the reactor
/// thread. <see cref="Accept"/> hands over a completed accept and starts the next one; when that one is still pending it
/// says <see cref="SocketError.WouldBlock"/>, and its completion makes the socket acceptable again.
/// </summary>
/// <remarks>
/// There is no reserve descriptor here; instead accepted connections leave the runtime a headroom of descriptors
/// (<see cref="DescriptorHeadroom"/>): one that would eat into it is closed, and <see cref="ShedPending"/> closes the
/// others waiting. A real EMFILE (something else took the headroom) makes the port back off briefly (D22: no busy loop
/// either way).
/// </remarks>
internal sealed class PortableListenSocket : IListenSocket
{
    /// <summary>The most waiting clients <see cref="ShedPending"/> closes in one call (the next readiness sheds the rest).</summary>
    internal const int MaxShedPerCall = 1000;

    private static readonly SendOrPostCallback AcceptedOnReactor = static state => ((PortableListenSocket)state!).OnAcceptCompleted();

    private readonly PortableReactor _reactor;
    private readonly Socket _socket;
    private readonly SocketAsyncEventArgs _accept;
    private IListenSocketHandler? _handler;
    private bool _accepting;
    private bool _pending;
    private bool _completed;
    private bool _notifyQueued;
    private int _shedByHeadroom;
    private volatile bool _disposed;

    internal PortableListenSocket(PortableReactor reactor, AddressFamily family)
        : this(reactor, family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 or AddressFamily.Unix
            ? new Socket(family, SocketType.Stream, family == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp)
            : throw new ArgumentOutOfRangeException(nameof(family), family, "A stream socket is IPv4, IPv6 or UNIX."))
    {
    }

    /// <summary>Wraps a stream socket to listen with (an adopted one, already listening).</summary>
    internal PortableListenSocket(PortableReactor reactor, Socket socket)
    {
        _reactor = reactor;
        AddressFamily = socket.AddressFamily;
        _socket = socket;
        _socket.Blocking = false;
        _accept = new SocketAsyncEventArgs();
        _accept.Completed += (_, _) =>
        {
            if (!_disposed)
            {
                _reactor.PostFromAnyThread(AcceptedOnReactor, this);
            }
        };
    }

    public AddressFamily AddressFamily { get; }

    /// <summary>
    /// Test hook: errors scripted to replace this socket's next accepts (see <see cref="SocketFaults"/>). A scripted
    /// failure is met only when a connection is waiting, and leaves it waiting (as a failed <c>accept4</c> leaves it
    /// in the kernel's queue); EINTR, which .NET retries itself, is used up and the accept goes on.
    /// </summary>
    internal SocketFaults? Faults { get; set; }

    /// <summary>The .NET socket, for tests.</summary>
    internal Socket Socket => _socket;

    public SocketError Bind(EndPoint local, bool reusePort = false)
    {
        try
        {
            if (local is IPEndPoint ip)
            {
                SetReuseAddress();
                if (reusePort && OperatingSystem.IsLinux())
                {
                    _socket.SetRawSocketOption(Interop.SOL_SOCKET, Interop.SO_REUSEPORT, [1, 0, 0, 0]);
                }

                if (AddressFamily == AddressFamily.InterNetworkV6 && ip.Address.Equals(IPAddress.IPv6Any))
                {
                    _socket.DualMode = true; // D30
                }
            }

            _socket.Bind(local);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    public SocketError Listen(int backlog)
    {
        try
        {
            _socket.Listen(backlog);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    public EndPoint GetLocalEndPoint() => PortableStreamSocket.Copy(_socket.LocalEndPoint);

    public SocketError Accept(out IStreamSocket? socket, out EndPoint? peer)
    {
        socket = null;
        peer = null;
        if (_disposed)
        {
            return SocketError.OperationAborted;
        }

        if (!_completed && !StartAccept())
        {
            return SocketError.WouldBlock;
        }

        while (Faults is not null && Faults.Fails(SocketCall.Accept, out var injected))
        {
            if (injected != SocketError.Interrupted)
            {
                return injected;
            }
        }

        _completed = false;
        var error = _accept.SocketError;
        var accepted = _accept.AcceptSocket;
        _accept.AcceptSocket = null;
        if (error != SocketError.Success || accepted is null)
        {
            accepted?.Dispose();
            if (error is SocketError.TooManyOpenSockets)
            {
                DescriptorHeadroom.Refresh(); // the limit may have been lowered
            }

            return error == SocketError.Success ? SocketError.SocketError : error;
        }

        if (DescriptorHeadroom.IsTooClose(accepted))
        {
            // D22: this connection would leave the runtime too few descriptors. Closed at once (the client sees a close),
            // and ShedPending sheds the others waiting, as the epoll backend's reserve descriptor does.
            accepted.Dispose();
            _shedByHeadroom = 1;
            return SocketError.TooManyOpenSockets;
        }

        try
        {
            peer = PortableStreamSocket.Copy(accepted.RemoteEndPoint);
            socket = new PortableStreamSocket(_reactor, accepted);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            // Reset before we looked at it: that one connection is gone (ECONNABORTED).
            accepted.Dispose();
            return e.SocketErrorCode == SocketError.NotConnected ? SocketError.ConnectionAborted : e.SocketErrorCode;
        }
    }

    /// <summary>
    /// After <see cref="Accept"/> closed a connection for lack of headroom (<see cref="DescriptorHeadroom"/>): accepts and
    /// closes the other waiting clients (at most <see cref="MaxShedPerCall"/>), which would come to the same end, and
    /// returns how many were shed, that one included. After a real EMFILE (the runtime or the application took the
    /// headroom) there is no reserve to shed with: -1, and the port backs off.
    /// </summary>
    public int ShedPending()
    {
        if (_shedByHeadroom == 0 || _disposed)
        {
            return -1;
        }

        var shed = _shedByHeadroom;
        _shedByHeadroom = 0;
        while (shed < MaxShedPerCall)
        {
            try
            {
                // No accept is outstanding here (the completed one was taken, the next is not started): a plain
                // non-blocking accept, WouldBlock once the backlog is empty.
                _socket.Accept().Dispose();
                shed++;
            }
            catch (SocketException)
            {
                break; // none left waiting, or truly out of descriptors now
            }
        }

        return shed;
    }

    public void Watch(IListenSocketHandler handler, bool accepting)
    {
        if (_disposed)
        {
            return;
        }

        _handler = handler;
        _accepting = accepting;
        if (accepting)
        {
            Rearm();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _accepting = false;
        if (_completed)
        {
            _accept.AcceptSocket?.Dispose();
        }

        _socket.Dispose();
        _accept.Dispose();
        _handler = null;
    }

    public override string ToString() => $"PortableListenSocket({AddressFamily})";

    /// <summary>Starts an accept unless one is outstanding; <c>true</c> when one has completed (now or before).</summary>
    private bool StartAccept()
    {
        if (_completed)
        {
            return true;
        }

        if (_pending)
        {
            return false;
        }

        _accept.AcceptSocket = null;
        bool pending;
        try
        {
            pending = _socket.AcceptAsync(_accept);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        _pending = pending;
        _completed = !pending;
        return _completed;
    }

    /// <summary>After a batch, or when watching starts: keep one accept outstanding, and say so at once if one is ready.</summary>
    private void Rearm()
    {
        if (StartAccept() && !_notifyQueued)
        {
            _notifyQueued = true;
            _reactor.PostFromAnyThread(AcceptedOnReactor, this);
        }
    }

    private void OnAcceptCompleted()
    {
        _notifyQueued = false;
        if (_disposed)
        {
            return;
        }

        if (_pending)
        {
            _pending = false;
            _completed = true;
        }

        if (!_accepting || _handler is not { } handler)
        {
            return;
        }

        try
        {
            handler.OnAcceptable();
        }
        catch (Exception e)
        {
            _reactor.LogCallbackError(nameof(IListenSocketHandler.OnAcceptable), e);
        }

        if (_accepting && !_disposed)
        {
            Rearm();
        }
    }

    /// <summary>
    /// SO_REUSEADDR on POSIX (D31), set as the raw option: .NET's <c>ReuseAddress</c> also sets SO_REUSEPORT on Unix,
    /// which would let a second listener share the port. Windows' SO_REUSEADDR means something else (port stealing): not set.
    /// </summary>
    private void SetReuseAddress()
    {
        Span<byte> one = [1, 0, 0, 0];
        if (OperatingSystem.IsLinux())
        {
            _socket.SetRawSocketOption(Interop.SOL_SOCKET, Interop.SO_REUSEADDR, one);
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            // The BSD numbering: SOL_SOCKET 0xffff, SO_REUSEADDR 4.
            _socket.SetRawSocketOption(0xffff, 4, one);
        }
    }
}
