namespace Reactor;

/// <summary>
/// The connection was closed cleanly (Twisted's <c>ConnectionDone</c>): by this side's
/// <see cref="ITransport.LoseConnection"/> after everything written was sent, or by the peer's orderly close (FIN).
/// The usual, expected reason in <see cref="Protocol.ConnectionLost"/>.
/// </summary>
public class ConnectionDoneException : ConnectionClosedException
{
    /// <summary>Creates the exception with Twisted's message.</summary>
    public ConnectionDoneException()
        : base("Connection was closed cleanly.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What happened.</param>
    public ConnectionDoneException(string message)
        : base(message)
    {
    }
}
