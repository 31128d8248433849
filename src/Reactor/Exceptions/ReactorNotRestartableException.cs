namespace Reactor;

/// <summary>Thrown by <c>Run()</c> after the reactor has been stopped: a stopped reactor cannot run again (Twisted's <c>ReactorNotRestartable</c>). Create a new reactor instead.</summary>
public class ReactorNotRestartableException : InvalidOperationException
{
    /// <summary>Creates the exception with its default message.</summary>
    public ReactorNotRestartableException()
        : base("The reactor cannot be restarted once stopped.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public ReactorNotRestartableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ReactorNotRestartableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
