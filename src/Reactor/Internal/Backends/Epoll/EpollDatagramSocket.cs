using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Reactor.Internal.Linux;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// The EpollReactor backend's datagram socket: a non-blocking UDP descriptor driven by raw system calls. Reads use
/// recvmmsg into native buffers allocated once; senders come from an <see cref="EndPointCache"/>; a single datagram
/// is sent with a plain sendto. Nothing allocates per datagram in steady state.
/// </summary>
/// <remarks>
/// Lifecycle, top to bottom: open (constructor) → bind/connect/options → readiness (<see cref="StartReading"/>,
/// <see cref="SetWantWritable"/>, <see cref="OnEpollEvents"/>) → receive loop (<c>EpollDatagramSocket.Receive.cs</c>)
/// → send (<c>EpollDatagramSocket.Send.cs</c>) → <see cref="Dispose"/>.
/// Every member runs on the reactor thread.
/// </remarks>
internal sealed unsafe partial class EpollDatagramSocket : IDatagramSocket, IEpollHandler
{
    /// <summary>The size the byte budget assumes for each datagram of a batch (see <see cref="ReceiveBatches"/>).</summary>
    private const int SmallDatagramAssumption = 2048;

    /// <summary>A GRO read's buffer: the largest coalesced receive the kernel builds.</summary>
    private const int GroSlotSize = 65536;

    private static readonly Func<(nint Address, int Length), IPEndPoint> DecodeSender =
        static name => SockAddr.Decode(new ReadOnlySpan<byte>((void*)name.Address, name.Length));

    private readonly EpollReactor _reactor;
    private readonly EndPointCache _senders = new();
    private int _fd;
    private bool _disposed;

    // Readiness: what epoll watches now, and who hears about it.
    private IDatagramSocketHandler? _handler;
    private readonly EpollRegistration _registration;
    private bool _reading;
    private bool _wantWritable;

    // Built on the first Receive (send-only sockets never pay for it); outlives a Dispose made inside Receive.
    private MessageBatch? _batch;
    private bool _receiving;
    private int _receiveBufferSize = 8192;

    // Writes made while a receive batch is dispatched are held here and flushed together by FlushCoalesced (sendmmsg,
    // UDP GSO); what the kernel cannot take yet waits for EPOLLOUT.
    private SendBatch? _sendBatch;
    private bool _segmentation;
    private bool _batchWaitsForWritable;

    // UDP GRO: the kernel may coalesce a sender's burst into one read; it is split back into datagrams here.
    private readonly bool _receiveOffloadWanted;
    private bool _receiveOffload;

    internal EpollDatagramSocket(EpollReactor reactor, AddressFamily family)
        : this(reactor, Open(family), family)
    {
    }

    /// <summary>Wraps a UDP descriptor (already non-blocking and close-on-exec): an adopted one.</summary>
    internal EpollDatagramSocket(EpollReactor reactor, int fd, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        _reactor = reactor;
        AddressFamily = family;
        _fd = fd;
        _registration = new EpollRegistration(reactor, _fd, this);

        // Probe UDP GSO once (Linux 4.18+); a send the kernel later refuses turns it off (see SendBatch.Flush).
        _segmentation = reactor.Options.Udp.SegmentationOffload &&
            Interop.GetSocketOption(_fd, Interop.SOL_UDP, Interop.UDP_SEGMENT, out _) == 0;
        _receiveOffloadWanted = reactor.Options.Udp.ReceiveOffload;
    }

    private static int Open(AddressFamily family)
    {
        var domain = family switch
        {
            AddressFamily.InterNetwork => Interop.AF_INET,
            AddressFamily.InterNetworkV6 => Interop.AF_INET6,
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "UDP needs an IPv4 or IPv6 socket."),
        };
        var fd = Interop.socket(domain, Interop.SOCK_DGRAM | Interop.SOCK_NONBLOCK | Interop.SOCK_CLOEXEC, Interop.IPPROTO_UDP);
        if (fd < 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"socket() failed: {Interop.ErrorMessage(errno)}");
        }

        return fd;
    }

    /// <summary>Whether reads may return GRO-coalesced datagrams (set when reading starts, if the kernel allows it).</summary>
    internal bool ReceiveOffload => _receiveOffload;

    /// <summary>How many reads carried several coalesced datagrams; for tests and the benchmark.</summary>
    internal long CoalescedReads { get; private set; }

    /// <summary>Whether coalesced sends may use UDP GSO; tests turn it off to compare.</summary>
    internal bool Segmentation
    {
        get => _segmentation;
        set => _segmentation = value && Interop.GetSocketOption(_fd, Interop.SOL_UDP, Interop.UDP_SEGMENT, out _) == 0;
    }

    public AddressFamily AddressFamily { get; }

    /// <summary>The errno of the most recent failed call, for messages with the OS text (<see cref="Marshal.GetPInvokeErrorMessage"/>).</summary>
    internal int LastErrno { get; private set; }

    /// <summary>The descriptor (-1 once disposed); for tests and diagnostics.</summary>
    internal int FileDescriptor => _fd;

    /// <summary>Test hook: errors scripted to replace this socket's next reads or writes (see <see cref="SocketFaults"/>).</summary>
    internal SocketFaults? Faults { get; set; }

    /// <summary>The sender cache; tests read its miss count.</summary>
    internal EndPointCache Senders => _senders;

    /// <summary>
    /// Bytes per receive slot: the port's maxPacketSize. A longer datagram is reported through
    /// <see cref="IDatagramSink.OnTruncated"/>. Set before reading; a change takes effect at the next <see cref="Receive"/>.
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

    public unsafe SocketError SetRawOption(int level, int name, ReadOnlySpan<byte> value)
    {
        ThrowIfDisposed();
        fixed (byte* pointer = value)
        {
            if (Interop.setsockopt(_fd, level, name, pointer, (uint)value.Length) == 0)
            {
                return SocketError.Success;
            }
        }

        LastErrno = Marshal.GetLastPInvokeError();
        return Errno.ToSocketError(LastErrno);
    }

    public unsafe SocketError GetRawOption(int level, int name, Span<byte> value, out int length)
    {
        ThrowIfDisposed();
        var size = (uint)value.Length;
        fixed (byte* pointer = value)
        {
            if (Interop.getsockopt(_fd, level, name, pointer, &size) == 0)
            {
                length = (int)size;
                return SocketError.Success;
            }
        }

        length = 0;
        LastErrno = Marshal.GetLastPInvokeError();
        return Errno.ToSocketError(LastErrno);
    }

    public bool Broadcast
    {
        get
        {
            ThrowIfDisposed();
            if (Interop.GetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_BROADCAST, out var value) != 0)
            {
                throw Failure("getsockopt(SO_BROADCAST)");
            }

            return value != 0;
        }

        set
        {
            ThrowIfDisposed();
            if (Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_BROADCAST, value ? 1 : 0) != 0)
            {
                throw Failure("setsockopt(SO_BROADCAST)");
            }
        }
    }

    // ---- Address ------------------------------------------------------------------------------------------------

    public SocketError Bind(IPEndPoint endpoint, bool reuse)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _reactor.VerifyAccess();
        ThrowIfDisposed();
        if (reuse)
        {
            if (Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_REUSEADDR, 1) != 0 ||
                Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_REUSEPORT, 1) != 0)
            {
                return LastError();
            }
        }

        // Twisted on Linux binds "::" dual-stack; say so explicitly rather than trust net.ipv6.bindv6only.
        if (AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any) &&
            Interop.SetSocketOption(_fd, Interop.IPPROTO_IPV6, Interop.IPV6_V6ONLY, 0) != 0)
        {
            return LastError();
        }

        var address = stackalloc byte[SockAddr.MaxLength];
        var length = SockAddr.Encode(endpoint, new Span<byte>(address, SockAddr.MaxLength));
        return Interop.bind(_fd, address, (uint)length) == 0 ? SocketError.Success : LastError();
    }

    public IPEndPoint GetLocalEndPoint()
    {
        ThrowIfDisposed();
        var address = stackalloc byte[Interop.SockAddrStorageSize];
        uint length = Interop.SockAddrStorageSize;
        if (Interop.getsockname(_fd, address, &length) != 0)
        {
            throw Failure("getsockname");
        }

        return SockAddr.Decode(new ReadOnlySpan<byte>(address, (int)Math.Min(length, (uint)Interop.SockAddrStorageSize)));
    }

    public SocketError Connect(IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        _reactor.VerifyAccess();
        ThrowIfDisposed();
        var address = stackalloc byte[SockAddr.MaxLength];
        var length = SockAddr.Encode(remote, new Span<byte>(address, SockAddr.MaxLength));
        while (Interop.connect(_fd, address, (uint)length) != 0)
        {
            var error = LastError();
            if (error != SocketError.Interrupted)
            {
                return error;
            }
        }

        return SocketError.Success;
    }

    public void SetBufferSizes(int receiveBufferSize, int sendBufferSize)
    {
        ThrowIfDisposed();
        if (receiveBufferSize > 0 && Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_RCVBUF, receiveBufferSize) != 0)
        {
            throw Failure("setsockopt(SO_RCVBUF)");
        }

        if (sendBufferSize > 0 && Interop.SetSocketOption(_fd, Interop.SOL_SOCKET, Interop.SO_SNDBUF, sendBufferSize) != 0)
        {
            throw Failure("setsockopt(SO_SNDBUF)");
        }
    }

    // ---- Readiness ----------------------------------------------------------------------------------------------

    public void StartReading(IDatagramSocketHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfDisposed();
        if (_receiveOffloadWanted && !_receiveOffload)
        {
            // Linux 5.0+; older kernels refuse it and reads stay one datagram each.
            _receiveOffload = Interop.SetSocketOption(_fd, Interop.SOL_UDP, Interop.UDP_GRO, 1) == 0;
        }

        _handler = handler;
        WatchFor(reading: true, _wantWritable);
    }

    public void StopReading()
    {
        if (!_disposed)
        {
            WatchFor(reading: false, _wantWritable);
        }
    }

    public void SetWantWritable(bool want)
    {
        if (_disposed && !want)
        {
            return;
        }

        ThrowIfDisposed();
        if (want && _handler is null)
        {
            throw new InvalidOperationException("StartReading names the handler; call it before asking for writability.");
        }

        WatchFor(_reading, want);
    }

    /// <summary>
    /// Level-triggered: EPOLLIN, EPOLLERR or EPOLLHUP mean "call Receive". A pending ICMP error on a connected socket
    /// shows as EPOLLERR without EPOLLIN, and the next recvmmsg returns (and clears) ECONNREFUSED.
    /// </summary>
    public void OnEpollEvents(uint events)
    {
        if (_disposed || _handler is not { } handler)
        {
            return;
        }

        var reading = _reading;
        if (reading && (events & (Interop.EPOLLIN | Interop.EPOLLERR | Interop.EPOLLHUP)) != 0)
        {
            handler.OnReadable();
        }

        // The handler may have stopped wanting writes, stopped reading or disposed us inside OnReadable. When nobody
        // reads, a pending error goes to the writer: its next send returns (and clears) it, so epoll stops reporting it.
        var writable = (events & Interop.EPOLLOUT) != 0 ||
            (!reading && (events & (Interop.EPOLLERR | Interop.EPOLLHUP)) != 0);
        if (writable && !_disposed && _batchWaitsForWritable && !FlushSendBatch())
        {
            // Our own coalesced datagrams go first; the port's queue waits behind them.
            return;
        }

        if (writable && !_disposed && _wantWritable && _handler is { } writer)
        {
            writer.OnWritable();
        }
    }

    private void WatchFor(bool reading, bool wantWritable)
    {
        _reactor.VerifyAccess();
        _registration.Watch(reading, wantWritable || _batchWaitsForWritable);
        _reading = reading;
        _wantWritable = wantWritable;
    }

    // ---- Close --------------------------------------------------------------------------------------------------

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _registration.Dispose();

        if (_sendBatch is { Count: > 0 })
        {
            // A last non-blocking attempt for coalesced datagrams; what the kernel refuses now is dropped.
            _sendBatch.Flush(_fd, ref _segmentation, _handler, Faults);
        }

        _sendBatch?.Dispose();
        _sendBatch = null;
        _disposed = true;
        _reading = false;
        _wantWritable = false;

        // Linux releases the descriptor even when close reports EINTR, so it is never retried.
        Interop.close(_fd);
        _fd = -1;
        if (!_receiving)
        {
            FreeReceiveBatch();
        }
    }

    public override string ToString() => $"EpollDatagramSocket(fd {_fd}, {AddressFamily})";

    private SocketError LastError()
    {
        var errno = Interop.LastError;
        LastErrno = errno;
        return Errno.ToSocketError(errno);
    }

    private SocketException Failure(string call)
    {
        var errno = Interop.LastError;
        LastErrno = errno;
        return new SocketException((int)Errno.ToSocketError(errno), $"{call} failed: {Interop.ErrorMessage(errno)}");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
