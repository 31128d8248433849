using System.Net;
using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// The attempt was cancelled before it connected: by <see cref="IConnector.StopConnecting"/> (Twisted's
/// <c>UserError</c>) or by cancelling the Deferred of a one-shot connect (Twisted's <c>ConnectingCancelledError</c>).
/// </summary>
public class ConnectingCancelledException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">Where the attempt was going.</param>
    public ConnectingCancelledException(EndPoint? destination)
        : base(destination, SocketError.OperationAborted, $"The connection attempt{To(destination)} was cancelled.", new OperationCanceledException())
    {
    }
}
