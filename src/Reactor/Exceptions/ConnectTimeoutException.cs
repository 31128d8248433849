using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// The attempt took longer than the timeout given to <see cref="IReactorTcp.ConnectTcp"/> (30 s by default, name
/// resolution included; Twisted's <c>TimeoutError</c>, "User timeout caused connection failure.").
/// </summary>
public class ConnectTimeoutException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">Where the attempt went.</param>
    /// <param name="timeout">The timeout that ran out.</param>
    public ConnectTimeoutException(EndPoint? destination, TimeSpan timeout)
        : base(destination, SocketError.SocketError, $"User timeout caused connection failure{To(destination)} (after {timeout.TotalSeconds:0.###} s).", new TimeoutException())
    {
        Timeout = timeout;
    }

    /// <summary>The timeout that ran out.</summary>
    public TimeSpan Timeout { get; }
}
