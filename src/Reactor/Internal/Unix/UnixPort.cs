using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Unix;

/// <summary>
/// A listening UNIX stream socket: UNIX's own part of <see cref="StreamListener"/> (Twisted's <c>unix.Port</c>) — the
/// path rules, the lock file (<c>wantPid</c>), the stale socket file rule (D64), the file's mode after bind, removing the
/// file (and the lock) when the port closes, and a <see cref="UnixConnection"/> for each accepted connection. Specified
/// by <c>tests/Reactor.Tests/Unix/</c>.
/// </summary>
internal sealed class UnixPort : StreamListener, IUnixPort
{
    /// <summary>What <c>mode: null</c> means: read and write for everyone (Twisted's default, 0o666).</summary>
    internal const UnixFileMode DefaultMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private readonly UnixPath? _path;
    private readonly UnixDomainSocketEndPoint _local;
    private readonly UnixLock? _lock;
    private readonly string _display;

    private UnixPort(ReactorBase reactor, IListenSocket socket, Factory factory, UnixDomainSocketEndPoint local, UnixPath? path, UnixLock? @lock)
        : base(reactor, socket, factory)
    {
        _local = local;
        _path = path;
        _lock = @lock;
        _display = UnixPath.Display(local);
    }

    protected override string LogName => $"UNIX port {_display}";

    protected override string Address => $"'{_display}'";

    /// <summary>The body of <c>ListenUnix</c>.</summary>
    internal static UnixPort Listen(ReactorBase reactor, string path, Factory factory, int backlog, UnixFileMode? mode, bool wantPid)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        var unixPath = UnixPath.Parse(path);
        reactor.VerifyAccess();

        UnixLock? fileLock = null;
        if (wantPid && !unixPath.IsAbstract)
        {
            fileLock = UnixLock.TryAcquire(unixPath.FilePath + ".lock", out var clean, out var holder)
                ?? throw new CannotListenException(unixPath.Text, SocketError.AddressAlreadyInUse,
                    holder > 0 ? $"Cannot acquire lock {unixPath.FilePath}.lock (held by process {holder})" : $"Cannot acquire lock {unixPath.FilePath}.lock");
            if (!clean)
            {
                // Twisted: the lock's last holder died, so the socket file it left is stale.
                DeleteIfSocket(unixPath.FilePath);
            }
        }

        IListenSocket? socket = null;
        try
        {
            try
            {
                socket = reactor.Sockets.CreateListenSocket(AddressFamily.Unix);
            }
            catch (SocketException e)
            {
                throw new CannotListenException(unixPath.Text, e.SocketErrorCode, innerException: e);
            }

            var error = socket.Bind(unixPath.EndPoint);
            if (error == SocketError.AddressAlreadyInUse && !unixPath.IsAbstract && RemoveIfStale(unixPath))
            {
                error = socket.Bind(unixPath.EndPoint);
            }

            if (error != SocketError.Success)
            {
                throw new CannotListenException(unixPath.Text, error);
            }

            if (!unixPath.IsAbstract)
            {
                SetMode(unixPath, mode ?? DefaultMode);
            }

            error = socket.Listen(backlog);
            if (error != SocketError.Success)
            {
                throw new CannotListenException(unixPath.Text, error);
            }

            var port = new UnixPort(reactor, socket, factory, unixPath.EndPoint, unixPath, fileLock);
            port.StartListening();
            return port;
        }
        catch
        {
            socket?.Dispose();
            fileLock?.Release();
            throw;
        }
    }

    /// <summary>
    /// A listening UNIX socket handed over by someone else (<c>AdoptStreamPort</c>, systemd): its path is read back,
    /// and it is never removed — its owner (systemd) keeps using it.
    /// </summary>
    internal static UnixPort Adopt(ReactorBase reactor, IListenSocket socket, Factory factory)
    {
        var local = socket.GetLocalEndPoint() as UnixDomainSocketEndPoint ?? Linux.SockAddr.UnnamedUnix;
        var port = new UnixPort(reactor, socket, factory, local, path: null, @lock: null);
        port.StartListening();
        return port;
    }

    public UnixDomainSocketEndPoint GetHost() => _local;

    EndPoint IListeningPort.GetHost() => _local;

    protected override void LogStarted() => StreamLog.UnixPortStarted(Logger, Factory.LogPrefix, _display);

    protected override void LogClosed() => StreamLog.UnixPortClosed(Logger, _display);

    protected override void OnClosed()
    {
        if (_path is { IsAbstract: false } path)
        {
            // Twisted's Port.connectionLost: the socket file goes with the port, then the lock.
            TryDelete(path.FilePath);
        }

        _lock?.Release();
    }

    protected override StreamConnection CreateConnection(IStreamSocket socket, EndPoint peer, Protocol protocol, int sessionNumber) =>
        new UnixConnection(Reactor, socket, protocol, _local, peer as UnixDomainSocketEndPoint ?? Linux.SockAddr.UnnamedUnix, this, sessionNumber);

    /// <summary>
    /// D64's stale socket rule: the path is taken by a socket file, and connecting to it is refused — nobody listens on it
    /// any more (its process died without removing it) — so it is removed and the bind retried. A file that is not a
    /// socket, or a socket someone answers on, stays, and the bind's "address in use" stands.
    /// </summary>
    private static bool RemoveIfStale(UnixPath path)
    {
        if (!IsSocketFile(path.FilePath))
        {
            return false;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false })
        {
            try
            {
                probe.Connect(path.EndPoint);
                return false; // someone answered
            }
            catch (SocketException e) when (e.SocketErrorCode != SocketError.ConnectionRefused)
            {
                return false; // busy (a full queue) or unreachable for another reason: not ours to remove
            }
            catch (SocketException)
            {
                // Refused: a socket file with nobody behind it.
            }
        }

        return TryDelete(path.FilePath);
    }

    private static void DeleteIfSocket(string path)
    {
        if (IsSocketFile(path))
        {
            TryDelete(path);
        }
    }

    /// <summary>Whether the path is a socket file (Linux only: elsewhere no file is ever taken for a stale socket).</summary>
    private static bool IsSocketFile(string path) => OperatingSystem.IsLinux() && Linux.Interop.IsSocketFile(path);

    private static void SetMode(UnixPath path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no POSIX modes
        }

        try
        {
            File.SetUnixFileMode(path.FilePath, mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CannotListenException(path.Text, SocketError.AccessDenied, $"could not set the socket file's mode: {e.Message}", e);
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
