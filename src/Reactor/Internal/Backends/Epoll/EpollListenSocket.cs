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
    {
        var domain = family switch
        {
            AddressFamily.InterNetwork => Interop.AF_INET,
            AddressFamily.InterNetworkV6 => Interop.AF_INET6,
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "TCP needs an IPv4 or IPv6 socket."),
        };
        _fd = Interop.socket(domain, Interop.SOCK_STREAM | Interop.SOCK_NONBLOCK | Interop.SOCK_CLOEXEC, Interop.IPPROTO_TCP);
        if (_fd < 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"socket() failed: {Interop.ErrorMessage(errno)}");
        }

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

    public SocketError Bind(EndPoint local)
    {
        ThrowIfClosed();
        var endpoint = (IPEndPoint)local;
        if (Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_REUSEADDR, 1) != 0)
        {
            return LastError();
        }

        // D30: "::" is dual-stack on every platform, whatever net.ipv6.bindv6only says.
        if (AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any) &&
            Interop.SetSocketOption(_fd, Interop.IPPROTO_IPV6, Interop.IPV6_V6ONLY, 0) != 0)
        {
            return LastError();
        }

        var address = stackalloc byte[SockAddr.MaxLength];
        var length = SockAddr.Encode(endpoint, new Span<byte>(address, SockAddr.MaxLength));
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

        return SockAddr.Decode(new ReadOnlySpan<byte>(address, (int)Math.Min(length, (uint)Interop.SockAddrStorageSize)));
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
                peer = SockAddr.Decode(new ReadOnlySpan<byte>(address, (int)Math.Min(length, (uint)Interop.SockAddrStorageSize)));
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

    private static int OpenReserve() => Interop.open("/dev/null", Interop.O_RDONLY | Interop.O_CLOEXEC);

    private static SocketError LastError() => Errno.ToSocketError(Interop.LastError);

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_fd < 0, this);
}
