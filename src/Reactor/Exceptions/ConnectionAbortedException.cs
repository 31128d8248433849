namespace Reactor;

/// <summary>
/// The connection was closed by this side's <see cref="ITransport.AbortConnection"/> (Twisted's
/// <c>ConnectionAborted</c>): buffered data was discarded and the peer saw a reset. It is a
/// <see cref="ConnectionLostException"/>, since the close was not clean.
/// </summary>
public class ConnectionAbortedException : ConnectionLostException
{
    /// <summary>Creates the exception.</summary>
    public ConnectionAbortedException()
        : base("Connection was aborted locally using AbortConnection.")
    {
    }
}
