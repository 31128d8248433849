namespace Reactor;

/// <summary>
/// The failure of a <see cref="DeferredList{T}"/> created with <c>fireOnOneErrback</c>, and of
/// <see cref="Deferred.GatherResults{T}"/>: one of the inputs failed (Twisted's <c>FirstError</c>).
/// </summary>
public sealed class FirstErrorException : Exception
{
    /// <summary>Creates the exception for the input at <paramref name="index"/> that failed with <paramref name="subFailure"/>.</summary>
    /// <param name="subFailure">The input's failure.</param>
    /// <param name="index">The input's position in the list given to the DeferredList.</param>
    public FirstErrorException(Failure subFailure, int index)
        : base(FormatMessage(subFailure, index), subFailure?.Exception)
    {
        ArgumentNullException.ThrowIfNull(subFailure);
        SubFailure = subFailure;
        Index = index;
    }

    /// <summary>The failure of the input that failed first.</summary>
    public Failure SubFailure { get; }

    /// <summary>The position of that input in the list given to the DeferredList.</summary>
    public int Index { get; }

    private static string FormatMessage(Failure? subFailure, int index)
        => subFailure is null
            ? $"FirstError[#{index}]"
            : $"FirstError[#{index}, {subFailure.ExceptionType.Name}: {subFailure.Exception.Message}]";
}
