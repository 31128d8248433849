using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace Reactor;

/// <summary>
/// An exception travelling down a Deferred's errback path (Twisted's <c>Failure</c>).
/// </summary>
/// <remarks>
/// A Deferred's result is either a value or a <see cref="Failure"/>. Errbacks receive the failure and either
/// recover (return a value) or keep the chain failing by throwing, typically with <see cref="Trap{TException}"/>
/// or <see cref="Rethrow"/>, which rethrow the original exception with its original stack trace.
/// </remarks>
public sealed class Failure
{
    /// <summary>Wraps <paramref name="exception"/>.</summary>
    /// <param name="exception">The exception that caused the failure.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public Failure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception = exception;
    }

    /// <summary>The exception that caused the failure.</summary>
    public Exception Exception { get; }

    /// <summary>The runtime type of <see cref="Exception"/>.</summary>
    public Type ExceptionType => Exception.GetType();

    /// <summary>
    /// Whether <see cref="Exception"/> is an instance of one of <paramref name="exceptionTypes"/> (or of a type derived from it).
    /// </summary>
    /// <param name="exceptionTypes">The exception types to test against.</param>
    /// <returns><c>true</c> when one of the types matches.</returns>
    public bool Check(params Type[] exceptionTypes)
    {
        ArgumentNullException.ThrowIfNull(exceptionTypes);
        foreach (Type type in exceptionTypes)
        {
            if (type.IsInstanceOfType(Exception))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <see cref="Exception"/> is a <typeparamref name="TException"/>.</summary>
    /// <typeparam name="TException">The exception type to test against.</typeparam>
    /// <returns><c>true</c> when it matches.</returns>
    public bool Check<TException>()
        where TException : Exception
        => Exception is TException;

    /// <summary>
    /// Returns the exception when it is a <typeparamref name="TException"/>; otherwise rethrows the original exception
    /// (with its original stack trace). Inside an errback this means "handle only this kind of error, let any other keep
    /// the Deferred failing".
    /// </summary>
    /// <typeparam name="TException">The exception type the caller knows how to handle.</typeparam>
    /// <returns>The exception, typed.</returns>
    public TException Trap<TException>()
        where TException : Exception
    {
        if (Exception is TException matched)
        {
            return matched;
        }

        Rethrow();
        return null;
    }

    /// <summary>Throws the original exception again, preserving its stack trace. Inside an errback this keeps the Deferred failing.</summary>
    [DoesNotReturn]
    public void Rethrow() => ExceptionDispatchInfo.Throw(Exception);

    /// <summary>Describes the failure: exception type, message and stack trace.</summary>
    /// <returns>A multi-line description.</returns>
    public override string ToString()
    {
        string text = $"[Failure instance: {ExceptionType.FullName}: {Exception.Message}]";
        string? stack = Exception.StackTrace;
        return string.IsNullOrEmpty(stack) ? text : text + Environment.NewLine + stack;
    }
}
