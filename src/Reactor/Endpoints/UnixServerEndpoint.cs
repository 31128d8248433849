namespace Reactor.Endpoints;

/// <summary>
/// Listens on a UNIX socket with <see cref="IReactorUnix.ListenUnix"/> (Twisted's <c>UNIXServerEndpoint</c>); the
/// string <c>unix:/run/app.sock:mode=660</c> (which, as in Twisted, takes a lock file unless <c>lockfile=0</c>).
/// </summary>
public sealed class UnixServerEndpoint : IStreamServerEndpoint
{
    private readonly IReactor _reactor;

    /// <summary>Records where to listen; nothing is bound until <see cref="Listen"/>.</summary>
    /// <param name="reactor">The reactor to listen with.</param>
    /// <param name="path">The file path, or <c>@name</c> for a Linux abstract name.</param>
    /// <param name="backlog">The kernel's queue of connections not yet accepted. Default 50.</param>
    /// <param name="mode">The socket file's permissions; <c>null</c> means 0666.</param>
    /// <param name="wantPid">Guard the path with a lock file (<c>path.lock</c>); see <see cref="IReactorUnix.ListenUnix"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backlog"/> is below 1.</exception>
    public UnixServerEndpoint(IReactor reactor, string path, int backlog = 50, UnixFileMode? mode = null, bool wantPid = false)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        _reactor = reactor;
        Path = path;
        Backlog = backlog;
        Mode = mode;
        WantPid = wantPid;
    }

    /// <summary>The path to listen on.</summary>
    public string Path { get; }

    /// <summary>The listen backlog.</summary>
    public int Backlog { get; }

    /// <summary>The socket file's permissions (<c>null</c>: 0666).</summary>
    public UnixFileMode? Mode { get; }

    /// <summary>Whether the path is guarded by a lock file.</summary>
    public bool WantPid { get; }

    /// <inheritdoc/>
    /// <remarks>The port is an <see cref="IUnixPort"/>.</remarks>
    public Deferred<IListeningPort> Listen(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Deferred.MaybeDeferred<IListeningPort>(() => _reactor.ListenUnix(Path, factory, Backlog, Mode, WantPid));
    }

    /// <inheritdoc/>
    public override string ToString() => $"<UnixServerEndpoint {Path}>";
}
