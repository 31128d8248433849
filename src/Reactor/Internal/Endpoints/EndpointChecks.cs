using System.Net;

namespace Reactor.Internal.Endpoints;

/// <summary>The argument checks and defaults the client endpoints share, so each states its rules once.</summary>
internal static class EndpointChecks
{
    /// <summary>A connect's timeout when none is given (Twisted's 30 seconds).</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A TCP client's host, port and timeout, checked as <c>ConnectTcp</c> checks them.</summary>
    internal static void ClientTarget(string host, int port, TimeSpan? timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (timeout is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        }
    }
}
