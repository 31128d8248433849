using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Linux;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// The epoll backend's listening socket: <c>accept4</c> straight into non-blocking, close-on-exec
/// <see cref="EpollStreamSocket"/>s, and the reserve descriptor that lets a port shed waiting clients when the process is
/// out of descriptors instead of spinning (D22).
/// </summary>
/// <remarks>
/// The reserve is one descriptor on <c>/dev/null</c> for the whole process (Twisted's module-level
/// <c>_reservedFD</c>; libuv's <c>uv__emfile_trick</c>), taken when the first port listens: EMFILE is a process-wide
/// condition, so one spare suffices.
/// </remarks>
internal sealed unsafe class EpollListenSocket : IListenSocket, IEpollHandler
{
    /// <summary>Most waiting connections one shed closes (the loop's other work waits while it runs).</summary>
    private const int MaxShedPerCall = 10_000;

    private static readonly Lock ReserveLock = new();
    private static int s_reserve = -1;

    private readonly EpollReactor _reactor;
    private readonly EpollRegistration _registration;
    private IListenSocketHandler? _handler;
    private int _fd;

    internal EpollListenSocket(EpollReactor reactor, AddressFamily family)
        : this(reactor, Open(family), family)
    {
    }

    /// <summary>Wraps a listening descriptor (already non-blocking and close-on-exec): an adopted one.</summary>
    internal EpollListenSocket(EpollReactor reactor, int fd, AddressFamily family)
    {
        _fd = fd;
        _reactor = reactor;
        AddressFamily = family;
        _registration = new EpollRegistration(reactor, _fd, this);
        TakeReserve();
    }

    public AddressFamily AddressFamily { get; }

    /// <summary>Test hook: errors scripted to replace this socket's next accepts (see <see cref="SocketFaults"/>).</summary>
    internal SocketFaults? Faults { get; set; }

    /// <summary>The descriptor (-1 once closed); for tests.</summary>
    internal int FileDescriptor => _fd;

    /// <summary>Whether the process holds its reserve descriptor now; for tests.</summary>
    internal static bool HasReserve
    {
        get
        {
            lock (ReserveLock)
            {
                return s_reserve >= 0;
            }
        }
    }

    public SocketError Bind(EndPoint local, bool reusePort = false)
    {
        ThrowIfClosed();
        if (local is IPEndPoint endpoint)
        {
            if (Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_REUSEADDR, 1) != 0 ||
                (reusePort && Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_REUSEPORT, 1) != 0))
            {
                return LastError();
            }

            // D30: "::" is dual-stack on every platform, whatever net.ipv6.bindv6only says.
            if (AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any) &&
                Interop.SetSocketOption(_fd, Interop.IPPROTO_IPV6, Interop.IPV6_V6ONLY, 0) != 0)
            {
                return LastError();
            }
        }

        var address = stackalloc byte[SockAddr.MaxAnyLength];
        var length = SockAddr.Encode(local, new Span<byte>(address, SockAddr.MaxAnyLength));
        return Interop.bind(_fd, address, (uint)length) == 0 ? SocketError.Success : LastError();
    }

    public SocketError Listen(int backlog)
    {
        ThrowIfClosed();
        return Interop.listen(_fd, backlog) == 0 ? SocketError.Success : LastError();
    }

    public EndPoint GetLocalEndPoint()
    {
        ThrowIfClosed();
        var address = stackalloc byte[Interop.SockAddrStorageSize];
        uint length = Interop.SockAddrStorageSize;
        if (Interop.getsockname(_fd, address, &length) != 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"getsockname failed: {Interop.ErrorMessage(errno)}");
        }

        return SockAddr.DecodeAny(new ReadOnlySpan<byte>(address, (int)Math.Min(length, (uint)Interop.SockAddrStorageSize)));
    }

    public SocketError Accept(out IStreamSocket? socket, out EndPoint? peer)
    {
        var address = stackalloc byte[Interop.SockAddrStorageSize];
        while (true)
        {
            uint length = Interop.SockAddrStorageSize;
            var fd = Syscalls.Accept4(_fd, address, &length, Interop.SOCK_NONBLOCK | Interop.SOCK_CLOEXEC, Faults);
            if (fd >= 0)
            {
                socket = new EpollStreamSocket(_reactor, fd, AddressFamily);
                peer = SockAddr.DecodeAny(new ReadOnlySpan<byte>(address, (int)Math.Min(length, (uint)Interop.SockAddrStorageSize)));
                return SocketError.Success;
            }

            var error = LastError();
            if (error != SocketError.Interrupted)
            {
                socket = null;
                peer = null;
                return error;
            }
        }
    }

    public int ShedPending()
    {
        lock (ReserveLock)
        {
            if (s_reserve < 0)
            {
                return -1;
            }

            Interop.close(s_reserve);
            s_reserve = -1;
            var shed = 0;
            while (shed < MaxShedPerCall)
            {
                var fd = Interop.accept4(_fd, null, null, Interop.SOCK_CLOEXEC);
                if (fd < 0)
                {
                    if (Interop.LastError == Errno.EINTR)
                    {
                        continue;
                    }

                    break;
                }

                Interop.close(fd);
                shed++;
            }

            s_reserve = OpenReserve();
            return shed;
        }
    }

    public void Watch(IListenSocketHandler handler, bool accepting)
    {
        if (_fd < 0)
        {
            return;
        }

        _handler = handler;
        _registration.Watch(accepting, writing: false);
    }

    public void OnEpollEvents(uint events)
    {
        if (_fd >= 0 && _handler is { } handler && (events & (Interop.EPOLLIN | Interop.EPOLLERR | Interop.EPOLLHUP)) != 0)
        {
            handler.OnAcceptable();
        }
    }

    public void Dispose()
    {
        if (_fd < 0)
        {
            return;
        }

        _registration.Dispose();
        Interop.close(_fd);
        _fd = -1;
        _handler = null;
    }

    public override string ToString() => $"EpollListenSocket(fd {_fd}, {AddressFamily})";

    /// <summary>Takes the process's reserve descriptor if it holds none (a failure just leaves it without: the port then backs off on EMFILE).</summary>
    private static void TakeReserve()
    {
        lock (ReserveLock)
        {
            if (s_reserve < 0)
            {
                s_reserve = OpenReserve();
            }
        }
    }

    private static int Open(AddressFamily family)
    {
        var (domain, protocol) = EpollStreamSocket.Domain(family);
        var fd = Interop.socket(domain, Interop.SOCK_STREAM | Interop.SOCK_NONBLOCK | Interop.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"socket() failed: {Interop.ErrorMessage(errno)}");
        }

        return fd;
    }

    private static int OpenReserve() => Interop.open("/dev/null", Interop.O_RDONLY | Interop.O_CLOEXEC);

    private static SocketError LastError() => Errno.ToSocketError(Interop.LastError);

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_fd < 0, this);
}
