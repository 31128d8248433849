namespace Reactor;

/// <summary>Thrown by <c>Run()</c> while the reactor is already running (Twisted's <c>ReactorAlreadyRunning</c>).</summary>
public class ReactorAlreadyRunningException : InvalidOperationException
{
    /// <summary>Creates the exception with its default message.</summary>
    public ReactorAlreadyRunningException()
        : base("The reactor is already running.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public ReactorAlreadyRunningException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ReactorAlreadyRunningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
