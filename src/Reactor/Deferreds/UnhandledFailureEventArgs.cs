namespace Reactor;

/// <summary>Describes a failure that nobody handled, reported by <see cref="Deferred.UnhandledFailure"/>.</summary>
public sealed class UnhandledFailureEventArgs : EventArgs
{
    /// <summary>Creates the event arguments.</summary>
    /// <param name="failure">The failure that was never handled.</param>
    public UnhandledFailureEventArgs(Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Failure = failure;
    }

    /// <summary>The failure that was never handled.</summary>
    public Failure Failure { get; }
}
