namespace Reactor;

/// <summary>Thrown by <c>Stop()</c> when the reactor is not running, or is already stopping (Twisted's <c>ReactorNotRunning</c>).</summary>
public class ReactorNotRunningException : InvalidOperationException
{
    /// <summary>Creates the exception with its default message.</summary>
    public ReactorNotRunningException()
        : base("Can't stop reactor that isn't running.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public ReactorNotRunningException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ReactorNotRunningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
