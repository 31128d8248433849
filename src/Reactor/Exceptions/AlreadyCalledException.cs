namespace Reactor;

/// <summary>Thrown when something that can happen only once is attempted again: cancelling, resetting or delaying a timed call that has already run (Twisted's <c>AlreadyCalled</c>), or firing a Deferred that has already been fired (Twisted's <c>AlreadyCalledError</c>).</summary>
public class AlreadyCalledException : InvalidOperationException
{
    /// <summary>Creates the exception with its default message.</summary>
    public AlreadyCalledException()
        : base("The call has already been made.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public AlreadyCalledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public AlreadyCalledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
