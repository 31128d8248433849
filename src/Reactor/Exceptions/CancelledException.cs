namespace Reactor;

/// <summary>The failure a Deferred gets when it is cancelled before it has a result (Twisted's <c>CancelledError</c>). It derives from <see cref="OperationCanceledException"/>, so awaiting a cancelled Deferred behaves like awaiting a cancelled task.</summary>
public class CancelledException : OperationCanceledException
{
    /// <summary>Creates the exception with its default message.</summary>
    public CancelledException()
        : base("The Deferred was cancelled.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public CancelledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CancelledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
