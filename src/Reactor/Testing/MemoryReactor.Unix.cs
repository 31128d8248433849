using Reactor.Internal.Unix;

namespace Reactor.Testing;

/// <summary>The UNIX socket part of <see cref="MemoryReactor"/>: calls are recorded, nothing is bound or connected.</summary>
public sealed partial class MemoryReactor
{
    private readonly List<UnixListenCall> _unixServers = [];
    private readonly List<UnixConnectCall> _unixClients = [];

    /// <summary>Every <see cref="ListenUnix"/> call, in order.</summary>
    public IReadOnlyList<UnixListenCall> UnixServers => _unixServers;

    /// <summary>Every <see cref="ConnectUnix"/> call, in order; complete one with its <see cref="MemoryConnector"/>.</summary>
    public IReadOnlyList<UnixConnectCall> UnixClients => _unixClients;

    /// <summary>Records the call and returns a port that listens on nothing; the factory starts, as on a real reactor.</summary>
    /// <param name="path">The path (validated as a real reactor does).</param>
    /// <param name="factory">The factory.</param>
    /// <param name="backlog">Recorded.</param>
    /// <param name="mode">Recorded.</param>
    /// <param name="wantPid">Recorded.</param>
    /// <returns>A <see cref="MemoryUnixPort"/>.</returns>
    public IUnixPort ListenUnix(string path, Factory factory, int backlog = 50, UnixFileMode? mode = null, bool wantPid = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        var unixPath = UnixPath.Parse(path);
        var listening = new MemoryUnixPort(unixPath.EndPoint, factory);
        factory.DoStart();
        _unixServers.Add(new UnixListenCall(path, factory, backlog, mode, wantPid, listening));
        return listening;
    }

    /// <summary>
    /// Records the call and returns a <see cref="MemoryConnector"/> that has started connecting (the factory's
    /// <see cref="ClientFactory.StartedConnecting"/> has run); the test completes it.
    /// </summary>
    /// <param name="path">The path (validated as a real reactor does).</param>
    /// <param name="factory">The client factory.</param>
    /// <param name="timeout">Recorded (30 s when null).</param>
    /// <param name="checkPid">Recorded.</param>
    /// <returns>The connector.</returns>
    public IConnector ConnectUnix(string path, ClientFactory factory, TimeSpan? timeout = null, bool checkPid = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        var unixPath = UnixPath.Parse(path);
        var connector = new MemoryConnector(this, unixPath.EndPoint, factory, bindAddress: null);
        _unixClients.Add(new UnixConnectCall(path, factory, limit, checkPid, connector));
        connector.Connect();
        return connector;
    }

    private void StopUnixPorts()
    {
        foreach (var call in _unixServers)
        {
            call.ListeningPort.StopListening();
        }
    }
}
