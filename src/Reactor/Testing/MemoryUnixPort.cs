using System.Net;
using System.Net.Sockets;

namespace Reactor.Testing;

/// <summary>What <see cref="MemoryReactor.ListenUnix"/> returns: a port that listens on nothing and stops at once (its factory then stops).</summary>
public sealed class MemoryUnixPort : IUnixPort
{
    private readonly UnixDomainSocketEndPoint _host;
    private readonly Factory _factory;
    private Deferred<object?>? _stopped;

    internal MemoryUnixPort(UnixDomainSocketEndPoint host, Factory factory)
    {
        _host = host;
        _factory = factory;
    }

    /// <summary>Whether <see cref="StopListening"/> has been called.</summary>
    public bool Stopped => _stopped is not null;

    /// <inheritdoc/>
    public UnixDomainSocketEndPoint GetHost() => _host;

    EndPoint IListeningPort.GetHost() => _host;

    /// <summary>Stops at once: the factory stops and the returned Deferred has fired. Idempotent.</summary>
    /// <returns>A Deferred that has fired.</returns>
    public Deferred<object?> StopListening()
    {
        if (_stopped is null)
        {
            _stopped = new Deferred<object?>();
            _factory.DoStop();
            _stopped.Callback(null);
        }

        return _stopped;
    }
}
