using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Reactor.Internal.Linux;
using Reactor.Internal.Streams;
using Reactor.Internal.Unix;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// The epoll backend's stream socket: a non-blocking descriptor driven by raw system calls — <c>recv</c> into the
/// reactor's buffer, <c>send</c>/<c>sendmsg</c> (vectored) with MSG_NOSIGNAL so a closed peer is an EPIPE, never a
/// SIGPIPE — and one <see cref="EpollRegistration"/>. Nothing allocates per call.
/// </summary>
/// <remarks>
/// Level-triggered: <c>EPOLLIN</c>, <c>EPOLLERR</c> or <c>EPOLLHUP</c> while reading mean "read" (the read then returns
/// the data, end of stream or the error); <c>EPOLLOUT</c> means "write", and so does an error while not reading (a
/// connect in progress reports its failure that way). Reactor thread only. The family is IPv4, IPv6 (TCP) or UNIX; a UNIX
/// socket also reports its peer's credentials (SO_PEERCRED).
/// </remarks>
internal sealed unsafe class EpollStreamSocket : IStreamSocket, IPeerCredentialsSource, IEpollHandler
{
    private readonly EpollReactor _reactor;
    private readonly EpollRegistration _registration;
    private IStreamSocketHandler? _handler;
    private int _fd;

    /// <summary>A new socket of <paramref name="family"/> (for a connect).</summary>
    internal EpollStreamSocket(EpollReactor reactor, AddressFamily family)
        : this(reactor, Open(family), family)
    {
    }

    /// <summary>Wraps an accepted descriptor (already non-blocking and close-on-exec).</summary>
    internal EpollStreamSocket(EpollReactor reactor, int fd, AddressFamily family)
    {
        _reactor = reactor;
        _fd = fd;
        AddressFamily = family;
        _registration = new EpollRegistration(reactor, fd, this);
    }

    public AddressFamily AddressFamily { get; }

    /// <summary>Test hook: errors scripted to replace this socket's next system calls (see <see cref="SocketFaults"/>).</summary>
    internal SocketFaults? Faults { get; set; }

    /// <summary>The descriptor (-1 once closed); for tests.</summary>
    internal int FileDescriptor => _fd;

    public bool NoDelay
    {
        get => GetFlag(Interop.IPPROTO_TCP, Interop.TCP_NODELAY, "TCP_NODELAY");
        set => SetFlag(Interop.IPPROTO_TCP, Interop.TCP_NODELAY, value, "TCP_NODELAY");
    }

    public bool KeepAlive
    {
        get => GetFlag(Interop.SOL_SOCKET, Interop.SO_KEEPALIVE, "SO_KEEPALIVE");
        set => SetFlag(Interop.SOL_SOCKET, Interop.SO_KEEPALIVE, value, "SO_KEEPALIVE");
    }

    // ---- Connect --------------------------------------------------------------------------------------------------

    public SocketError Bind(EndPoint local)
    {
        ThrowIfClosed();
        var address = stackalloc byte[SockAddr.MaxAnyLength];
        var length = SockAddr.Encode(local, new Span<byte>(address, SockAddr.MaxAnyLength));
        return Interop.bind(_fd, address, (uint)length) == 0 ? SocketError.Success : LastError();
    }

    public SocketError Connect(EndPoint remote)
    {
        ThrowIfClosed();
        var address = stackalloc byte[SockAddr.MaxAnyLength];
        var length = SockAddr.Encode(remote, new Span<byte>(address, SockAddr.MaxAnyLength));

        // EINTR on a non-blocking connect leaves it in progress, as EINPROGRESS does: the result comes with writability.
        return Syscalls.Connect(_fd, address, (uint)length, Faults) == 0 ? SocketError.Success : LastError() switch
        {
            SocketError.Interrupted => SocketError.InProgress,
            var error => error,
        };
    }

    public SocketError ConnectResult()
    {
        ThrowIfClosed();
        if (Syscalls.ConnectResult(_fd, out var error, Faults) != 0)
        {
            return LastError();
        }

        return Errno.ToSocketError(error);
    }

    public EndPoint GetLocalEndPoint() => Name(peer: false);

    public EndPoint GetRemoteEndPoint() => Name(peer: true);

    public bool TryGetPeerCredentials(out int processId, out uint userId, out uint groupId)
    {
        ThrowIfClosed();
        var ok = Interop.GetPeerCredentials(_fd, out var credentials) == 0;
        (processId, userId, groupId) = (credentials.ProcessId, credentials.UserId, credentials.GroupId);
        return ok;
    }

    // ---- Data -----------------------------------------------------------------------------------------------------

    public int Receive(Span<byte> buffer, out SocketError error)
    {
        fixed (byte* data = buffer)
        {
            while (true)
            {
                var received = Syscalls.Recv(_fd, data, buffer.Length, Faults);
                if (received >= 0)
                {
                    error = SocketError.Success;
                    return (int)received;
                }

                error = LastError();
                if (error != SocketError.Interrupted)
                {
                    return 0;
                }
            }
        }
    }

    public int Send(ReadOnlySpan<byte> data, out SocketError error)
    {
        fixed (byte* bytes = data)
        {
            while (true)
            {
                var sent = Syscalls.Send(_fd, bytes, data.Length, Faults);
                if (sent >= 0)
                {
                    error = SocketError.Success;
                    return (int)sent;
                }

                error = LastError();
                if (error != SocketError.Interrupted)
                {
                    return 0;
                }
            }
        }
    }

    public int Send(ReadOnlySpan<ArraySegment<byte>> segments, out SocketError error)
    {
        // sendmsg rather than writev: only sendmsg takes MSG_NOSIGNAL. The blocks are on the pinned heap (BlockPool),
        // so their addresses stay valid without a fixed statement per block.
        var count = Math.Min(segments.Length, StreamLoop.MaxSegments);
        var vectors = stackalloc Interop.IoVector[count];
        for (var i = 0; i < count; i++)
        {
            var segment = segments[i];
            vectors[i].Base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(segment.Array!)) + segment.Offset;
            vectors[i].Length = (nuint)segment.Count;
        }

        var message = new Interop.MessageHeader { IoVectors = vectors, IoVectorCount = (nuint)count };
        while (true)
        {
            var sent = Syscalls.SendMsg(_fd, &message, Faults);
            if (sent >= 0)
            {
                error = SocketError.Success;
                return (int)sent;
            }

            error = LastError();
            if (error != SocketError.Interrupted)
            {
                return 0;
            }
        }
    }

    public SocketError Shutdown(SocketShutdown how)
    {
        if (_fd < 0)
        {
            return SocketError.NotConnected;
        }

        var mode = how switch
        {
            SocketShutdown.Receive => Interop.SHUT_RD,
            SocketShutdown.Send => Interop.SHUT_WR,
            _ => Interop.SHUT_RDWR,
        };
        return Interop.shutdown(_fd, mode) == 0 ? SocketError.Success : LastError();
    }

    // ---- Readiness ------------------------------------------------------------------------------------------------

    public void Watch(IStreamSocketHandler handler, bool reading, bool writing)
    {
        if (_fd < 0)
        {
            return;
        }

        _handler = handler;
        _registration.Watch(reading, writing);
    }

    public void OnEpollEvents(uint events)
    {
        if (_fd < 0 || _handler is not { } handler)
        {
            return;
        }

        var reading = _registration.Reading;
        if (reading && (events & (Interop.EPOLLIN | Interop.EPOLLERR | Interop.EPOLLHUP)) != 0)
        {
            handler.OnReadable();
            if (_fd < 0)
            {
                return;
            }
        }

        // The handler may have changed what it watches, or closed us, inside OnReadable.
        if (_registration.Writing &&
            ((events & Interop.EPOLLOUT) != 0 || (!reading && (events & (Interop.EPOLLERR | Interop.EPOLLHUP)) != 0)))
        {
            handler.OnWritable();
        }
    }

    // ---- Close ----------------------------------------------------------------------------------------------------

    public void Abort()
    {
        if (_fd < 0)
        {
            return;
        }

        // SO_LINGER {1, 0}: close sends a reset and discards what the kernel still holds (Twisted's abortConnection).
        var linger = new Interop.Linger { OnOff = 1, Seconds = 0 };
        Interop.setsockopt(_fd, Interop.SOL_SOCKET, Interop.SO_LINGER, &linger, (uint)sizeof(Interop.Linger));
        Dispose();
    }

    public void Dispose()
    {
        if (_fd < 0)
        {
            return;
        }

        _registration.Dispose();

        // Linux releases the descriptor even when close reports EINTR, so it is never retried.
        Interop.close(_fd);
        _fd = -1;
        _handler = null;
    }

    public override string ToString() => $"EpollStreamSocket(fd {_fd}, {AddressFamily})";

    private static int Open(AddressFamily family)
    {
        var (domain, protocol) = Domain(family);
        var fd = Interop.socket(domain, Interop.SOCK_STREAM | Interop.SOCK_NONBLOCK | Interop.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"socket() failed: {Interop.ErrorMessage(errno)}");
        }

        return fd;
    }

    /// <summary>The socket() domain and protocol of a stream socket of <paramref name="family"/>.</summary>
    internal static (int Domain, int Protocol) Domain(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => (Interop.AF_INET, Interop.IPPROTO_TCP),
        AddressFamily.InterNetworkV6 => (Interop.AF_INET6, Interop.IPPROTO_TCP),
        AddressFamily.Unix => (Interop.AF_UNIX, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "A stream socket is IPv4, IPv6 or UNIX."),
    };

    private EndPoint Name(bool peer)
    {
        ThrowIfClosed();
        var address = stackalloc byte[Interop.SockAddrStorageSize];
        uint length = Interop.SockAddrStorageSize;
        var result = peer ? Interop.getpeername(_fd, address, &length) : Interop.getsockname(_fd, address, &length);
        if (result != 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"{(peer ? "getpeername" : "getsockname")} failed: {Interop.ErrorMessage(errno)}");
        }

        return SockAddr.DecodeAny(new ReadOnlySpan<byte>(address, (int)Math.Min(length, (uint)Interop.SockAddrStorageSize)));
    }

    private bool GetFlag(int level, int name, string option)
    {
        ThrowIfClosed();
        if (Interop.GetSocketOption(_fd, level, name, out var value) != 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"getsockopt({option}) failed: {Interop.ErrorMessage(errno)}");
        }

        return value != 0;
    }

    private void SetFlag(int level, int name, bool value, string option)
    {
        ThrowIfClosed();
        if (Interop.SetSocketOption(_fd, level, name, value ? 1 : 0) != 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"setsockopt({option}) failed: {Interop.ErrorMessage(errno)}");
        }
    }

    private static SocketError LastError() => Errno.ToSocketError(Interop.LastError);

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_fd < 0, this);
}
