namespace Reactor;

/// <summary>Thrown when cancelling, resetting or delaying a timed call that was already cancelled (Twisted's <c>AlreadyCancelled</c>).</summary>
public class AlreadyCancelledException : InvalidOperationException
{
    /// <summary>Creates the exception with its default message.</summary>
    public AlreadyCancelledException()
        : base("Tried to cancel an already-cancelled event.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public AlreadyCancelledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public AlreadyCancelledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
