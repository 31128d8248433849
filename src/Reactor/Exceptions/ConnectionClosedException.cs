namespace Reactor;

/// <summary>
/// The base of the reasons a stream connection closed (Twisted's <c>ConnectionClosed</c>): catch or <c>Check</c> it to
/// handle any close. <see cref="ConnectionDoneException"/> is a clean close, <see cref="ConnectionLostException"/> an
/// unclean one.
/// </summary>
public abstract class ConnectionClosedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    protected ConnectionClosedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
