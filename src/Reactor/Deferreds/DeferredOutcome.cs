namespace Reactor;

/// <summary>How one input of a <see cref="DeferredList{T}"/> ended (Twisted's <c>(success, result)</c> tuple).</summary>
/// <typeparam name="T">The type of the input's result.</typeparam>
/// <param name="Succeeded">Whether the input fired with a result rather than a failure.</param>
/// <param name="Result">The result when <paramref name="Succeeded"/>; otherwise <c>default</c>.</param>
/// <param name="Failure">The failure when not <paramref name="Succeeded"/>; otherwise <c>null</c>.</param>
public readonly record struct DeferredOutcome<T>(bool Succeeded, T? Result, Failure? Failure);
