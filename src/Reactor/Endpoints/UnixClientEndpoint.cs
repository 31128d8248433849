using Reactor.Internal.Endpoints;
using Reactor.Internal.Streams;

namespace Reactor.Endpoints;

/// <summary>
/// Connects to a UNIX socket with <see cref="IReactorUnix.ConnectUnix"/> (Twisted's <c>UNIXClientEndpoint</c>); the
/// string <c>unix:/run/app.sock</c>.
/// </summary>
public sealed class UnixClientEndpoint : IStreamClientEndpoint
{
    private readonly IReactor _reactor;

    /// <summary>Records where to connect; nothing happens until <see cref="Connect"/>.</summary>
    /// <param name="reactor">The reactor to connect with.</param>
    /// <param name="path">The file path, or <c>@name</c> for a Linux abstract name.</param>
    /// <param name="timeout">How long an attempt may take; <c>null</c> means 30 seconds.</param>
    /// <param name="checkPid">Connect only if a live process holds the server's lock file (see <see cref="IReactorUnix.ConnectUnix"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public UnixClientEndpoint(IReactor reactor, string path, TimeSpan? timeout = null, bool checkPid = false)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentNullException.ThrowIfNull(path);
        if (timeout is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        }

        _reactor = reactor;
        Path = path;
        Timeout = timeout ?? EndpointChecks.DefaultTimeout;
        CheckPid = checkPid;
    }

    /// <summary>The path to connect to.</summary>
    public string Path { get; }

    /// <summary>How long an attempt may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether the server's lock file is checked first.</summary>
    public bool CheckPid { get; }

    /// <inheritdoc/>
    /// <remarks>The protocol's transport is an <see cref="IUnixTransport"/>.</remarks>
    public Deferred<Protocol> Connect(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return ConnectAttempt<Protocol>.Start(_reactor, factory.BuildProtocol, factory.LogPrefix, factory,
            attempt => _reactor.ConnectUnix(Path, attempt, Timeout, CheckPid));
    }

    /// <inheritdoc/>
    public override string ToString() => $"<UnixClientEndpoint {Path}>";
}
