using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Unix;

/// <summary>
/// A UNIX datagram port (Twisted's <c>unix.DatagramPort</c> / <c>ConnectedDatagramPort</c>): an AF_UNIX SOCK_DGRAM
/// socket read on the reactor thread when the backend reports it readable (decision D67). Paths follow D64 (abstract
/// names, the mode, the stale file rule); a datagram longer than maxPacketSize is dropped and counted (D7).
/// </summary>
internal sealed class UnixDatagramPort : IUnixDatagramTransport, IOpenResource
{
    private const int MaxReadsPerWakeup = 64;

    private readonly ReactorBase _reactor;
    private readonly Socket _socket;
    private readonly UnixDatagramProtocol _protocol;
    private readonly UnixDomainSocketEndPoint _local;
    private readonly UnixDomainSocketEndPoint? _peer;
    private readonly UnixPath? _boundPath;
    private readonly ILogger _logger;
    private readonly string _display;
    private readonly byte[] _buffer;
    private readonly SocketAddress _received = new(AddressFamily.Unix);
    private readonly IReadiness _readiness;
    private Deferred<object?>? _stopped;
    private bool _listening;
    private bool _closed;

    private UnixDatagramPort(ReactorBase reactor, Socket socket, UnixDatagramProtocol protocol, int maxPacketSize, UnixPath? boundPath, UnixDomainSocketEndPoint? peer)
    {
        _reactor = reactor;
        _socket = socket;
        _protocol = protocol;
        MaxPacketSize = maxPacketSize;
        _boundPath = boundPath;
        _peer = peer;
        _local = boundPath?.EndPoint ?? (socket.LocalEndPoint as UnixDomainSocketEndPoint) ?? Linux.SockAddr.UnnamedUnix;
        _display = boundPath?.Text ?? (peer is null ? "(unbound)" : $"(unbound, to {UnixPath.Display(peer)})");
        _logger = reactor.LoggerFactory.CreateLogger(UdpLog.Category);
        _buffer = new byte[maxPacketSize + 1]; // one more: a longer datagram shows as received > maxPacketSize
        _readiness = reactor is EpollReactor epoll ? new EpollReadiness(epoll, socket, this) : new PortableReadiness(reactor, socket, this);
    }

    public int MaxPacketSize { get; }

    public long DroppedDatagrams { get; private set; }

    internal static UnixDatagramPort Listen(ReactorBase reactor, string path, UnixDatagramProtocol protocol, int maxPacketSize, UnixFileMode? mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketSize, 1);
        var unixPath = UnixPath.Parse(path);
        reactor.VerifyAccess();
        VerifyDetached(protocol);
        var socket = Open(unixPath.Text);
        try
        {
            Bind(socket, unixPath, mode);
            return Start(new UnixDatagramPort(reactor, socket, protocol, maxPacketSize, unixPath, peer: null));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static UnixDatagramPort Connect(ReactorBase reactor, string path, UnixDatagramProtocol protocol, int maxPacketSize, UnixFileMode? mode, string? bindAddress)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketSize, 1);
        var remote = UnixPath.Parse(path);
        var local = bindAddress is null ? (UnixPath?)null : UnixPath.Parse(bindAddress);
        reactor.VerifyAccess();
        VerifyDetached(protocol);
        var socket = Open(bindAddress ?? path);
        try
        {
            if (local is { } bound)
            {
                Bind(socket, bound, mode);
            }

            try
            {
                socket.Connect(remote.EndPoint);
            }
            catch (SocketException e)
            {
                if (local is { IsAbstract: false } file)
                {
                    UnixPort.TryDelete(file.FilePath);
                }

                throw e.SocketErrorCode == SocketError.ConnectionRefused
                    ? new ConnectionRefusedException(remote.EndPoint)
                    : new ConnectException(remote.EndPoint, e.SocketErrorCode);
            }

            return Start(new UnixDatagramPort(reactor, socket, protocol, maxPacketSize, local, remote.EndPoint));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void VerifyDetached(UnixDatagramProtocol protocol)
    {
        if (protocol.Transport is not null)
        {
            throw new InvalidOperationException(
                $"{protocol} is already listening on a port; a protocol instance listens on one port at a time.");
        }
    }

    private static Socket Open(string display)
    {
        try
        {
            return new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        }
        catch (SocketException e)
        {
            throw new CannotListenException(display, e.SocketErrorCode, innerException: e);
        }
    }

    /// <summary>Binds with D64's rules: a socket file nobody receives on is replaced; the file gets its mode.</summary>
    private static void Bind(Socket socket, UnixPath path, UnixFileMode? mode)
    {
        var error = TryBind(socket, path);
        if (error == SocketError.AddressAlreadyInUse && !path.IsAbstract && UnixPort.RemoveIfStale(path, SocketType.Dgram))
        {
            error = TryBind(socket, path);
        }

        if (error != SocketError.Success)
        {
            throw new CannotListenException(path.Text, error);
        }

        if (!path.IsAbstract)
        {
            UnixPort.SetMode(path, mode ?? UnixPort.DefaultMode);
        }
    }

    private static SocketError TryBind(Socket socket, UnixPath path)
    {
        try
        {
            socket.Bind(path.EndPoint);
            return SocketError.Success;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode;
        }
    }

    private static UnixDatagramPort Start(UnixDatagramPort port)
    {
        UnixDatagramLog.PortStarted(port._logger, port._protocol.LogPrefix, port._display);
        port._reactor.TrackOpen(port);
        port._listening = true;
        port._protocol.Attach(port);
        if (port._protocol.Noisy)
        {
            UnixDatagramLog.ProtocolStarting(port._logger, port._protocol);
        }

        port.CallProtocol(nameof(UnixDatagramProtocol.StartProtocol), static p => p.StartProtocol());
        if (port._listening)
        {
            port._readiness.Start();
        }

        return port;
    }

    public UnixDomainSocketEndPoint GetHost() => _local;

    EndPoint IListeningPort.GetHost() => _local;

    public UnixDomainSocketEndPoint? GetPeer() => _peer;

    public void Write(ReadOnlySpan<byte> datagram, string? path = null)
    {
        VerifyOpen();
        if (path is null)
        {
            if (_peer is null)
            {
                throw new InvalidOperationException($"UNIX datagram port {_display} is not connected: a write needs a destination path.");
            }

            Send(datagram, null);
        }
        else
        {
            Send(datagram, UnixPath.Parse(path).EndPoint);
        }
    }

    public void Write(ReadOnlySpan<byte> datagram, UnixDomainSocketEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        VerifyOpen();
        Send(datagram, destination);
    }

    private void Send(ReadOnlySpan<byte> datagram, UnixDomainSocketEndPoint? destination)
    {
        var error = SocketError.Success;
        try
        {
            if (destination is null)
            {
                _socket.Send(datagram, SocketFlags.None);
            }
            else
            {
                _socket.SendTo(datagram, SocketFlags.None, destination);
            }
        }
        catch (SocketException e)
        {
            error = e.SocketErrorCode;
        }

        switch (error)
        {
            case SocketError.Success:
                return;
            case SocketError.MessageSize:
                throw new MessageLengthException(datagram.Length);
            case SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable:
                // Twisted's unix.DatagramPort.write: no room in the receiver's queue, the datagram is dropped.
                if (DropLogging.ShouldLog(++DroppedDatagrams))
                {
                    UnixDatagramLog.DatagramDropped(_logger, destination is null ? UnixPath.Display(_peer!) : UnixPath.Display(destination), _display, DroppedDatagrams);
                }

                return;
            case SocketError.ConnectionRefused when _peer is not null && destination is null:
                CallProtocol(nameof(UnixDatagramProtocol.ConnectionRefused), static p => p.ConnectionRefused());
                return;
            default:
                throw new SocketException((int)error);
        }
    }

    /// <summary>Reads what is waiting, a bounded number per wakeup so one busy socket cannot starve the loop.</summary>
    private void OnReadable()
    {
        for (var i = 0; i < MaxReadsPerWakeup && _listening; i++)
        {
            int received;
            try
            {
                _received.Size = _received.Buffer.Length;
                received = _socket.ReceiveFrom(_buffer, SocketFlags.None, _received);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                CallProtocol(nameof(UnixDatagramProtocol.ConnectionRefused), static p => p.ConnectionRefused());
                continue;
            }
            catch (SocketException e)
            {
                UnixDatagramLog.ReceiveFailed(_logger, _display, e.SocketErrorCode);
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var sender = Sender();
            if (received > MaxPacketSize)
            {
                if (DropLogging.ShouldLog(++DroppedDatagrams))
                {
                    UnixDatagramLog.TruncatedDatagramDropped(_logger, sender is null ? "(unbound)" : UnixPath.Display(sender), _display, MaxPacketSize, DroppedDatagrams);
                }

                continue;
            }

            try
            {
                _protocol.DatagramReceived(_buffer.AsSpan(0, received), sender);
            }
            catch (Exception e)
            {
                UdpLog.ProtocolCallbackFailed(_logger, _protocol.LogPrefix, nameof(UnixDatagramProtocol.DatagramReceived), e);
            }
        }

        if (_listening)
        {
            _readiness.More(); // the budget ran out: come back on a later iteration
        }
    }

    /// <summary>The sender, or null for an unbound (unnamed) one: a sockaddr_un of just its family.</summary>
    private UnixDomainSocketEndPoint? Sender()
    {
        if (_received.Size <= sizeof(ushort))
        {
            return null;
        }

        return (UnixDomainSocketEndPoint)Linux.SockAddr.UnnamedUnix.Create(_received);
    }

    public Deferred<object?> StopListening()
    {
        _reactor.VerifyAccess();
        if (_stopped is not null)
        {
            return _stopped;
        }

        _stopped = new Deferred<object?>();
        if (_closed)
        {
            _stopped.Callback(null);
            return _stopped;
        }

        _listening = false;
        _readiness.Stop();
        _reactor.CallLater(TimeSpan.Zero, Close);
        return _stopped;
    }

    void IOpenResource.CloseForShutdown() => Close();

    private void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _listening = false;
        _reactor.TrackClosed(this);
        _readiness.Dispose();
        UnixDatagramLog.PortClosed(_logger, _display);
        _protocol.Detach();
        if (_protocol.Noisy)
        {
            UnixDatagramLog.ProtocolStopping(_logger, _protocol);
        }

        CallProtocol(nameof(UnixDatagramProtocol.StopProtocol), static p => p.StopProtocol());
        _socket.Dispose();
        if (_boundPath is { IsAbstract: false } path)
        {
            UnixPort.TryDelete(path.FilePath); // Twisted's DatagramPort.connectionLost unlinks the path
        }

        _stopped?.Callback(null);
    }

    private void VerifyOpen()
    {
        _reactor.VerifyAccess();
        if (_closed || !_listening)
        {
            throw new InvalidOperationException($"UNIX datagram port {_display} is closed: it was stopped.");
        }
    }

    private void CallProtocol(string callback, Action<UnixDatagramProtocol> call)
    {
        try
        {
            call(_protocol);
        }
        catch (Exception e)
        {
            UdpLog.ProtocolCallbackFailed(_logger, _protocol.LogPrefix, callback, e);
        }
    }

    public override string ToString() =>
        _closed ? $"<{_protocol.GetType().Name} on {_display} (closed)>" : $"<{_protocol.GetType().Name} on {_display}>";

    /// <summary>How the backend tells the port its socket is readable.</summary>
    private interface IReadiness : IDisposable
    {
        void Start();

        void Stop();

        /// <summary>Data may remain after a bounded read: be called again on a later iteration.</summary>
        void More();
    }

    /// <summary>The epoll backend: the socket's descriptor in the reactor's own epoll set, level-triggered.</summary>
    private sealed class EpollReadiness(EpollReactor reactor, Socket socket, UnixDatagramPort port) : IReadiness, IEpollHandler
    {
        private EpollRegistration? _live;

        public void Start()
        {
            _live ??= new EpollRegistration(reactor, (int)socket.Handle, this);
            _live.Watch(reading: true, writing: false);
        }

        public void Stop() => _live?.Watch(reading: false, writing: false);

        public void More()
        {
            // Level-triggered: epoll reports the socket again while datagrams remain.
        }

        public void OnEpollEvents(uint events) => port.OnReadable();

        public void Dispose()
        {
            _live?.Dispose();
        }
    }

    /// <summary>
    /// The portable backend: a zero-byte peek completes when a datagram is waiting, and the reads run on the reactor
    /// thread (as <c>PortableDatagramSocket</c> does).
    /// </summary>
    private sealed class PortableReadiness : IReadiness
    {
        private readonly ReactorBase _reactor;
        private readonly Socket _socket;
        private readonly UnixDatagramPort _port;
        private readonly SocketAsyncEventArgs _probe = new();
        private bool _reading;
        private bool _pending;
        private volatile bool _disposed;

        internal PortableReadiness(ReactorBase reactor, Socket socket, UnixDatagramPort port)
        {
            _reactor = reactor;
            _socket = socket;
            _port = port;
            _probe.SetBuffer(Memory<byte>.Empty);
            _probe.SocketFlags = SocketFlags.Peek;
            _probe.Completed += (_, _) => OnCompletedOnAnyThread();
        }

        public void Start()
        {
            _reading = true;
            Arm();
        }

        public void Stop() => _reading = false;

        public void More() => _reactor.CallLater(TimeSpan.Zero, () =>
        {
            if (_reading && !_disposed)
            {
                _port.OnReadable();
                Arm();
            }
        });

        public void Dispose()
        {
            _disposed = true;
            _reading = false;
            _probe.Dispose();
        }

        private void Arm()
        {
            if (_pending || !_reading || _disposed)
            {
                return;
            }

            _pending = true;
            bool pending;
            try
            {
                pending = _socket.ReceiveAsync(_probe);
            }
            catch (ObjectDisposedException)
            {
                _pending = false;
                return;
            }

            if (!pending)
            {
                OnCompletedOnAnyThread();
            }
        }

        private void OnCompletedOnAnyThread()
        {
            if (!_disposed)
            {
                _reactor.PostFromAnyThread(static state => ((PortableReadiness)state!).OnCompleted(), this);
            }
        }

        private void OnCompleted()
        {
            _pending = false;
            if (!_reading || _disposed)
            {
                return;
            }

            _port.OnReadable();
            Arm();
        }
    }
}
