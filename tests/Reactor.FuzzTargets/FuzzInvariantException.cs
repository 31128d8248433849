namespace Reactor.Fuzz;

/// <summary>A fuzz target found its code under test breaking a documented rule: AFL counts it as a crash, the corpus test fails.</summary>
public sealed class FuzzInvariantException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which rule broke, and how.</param>
    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FuzzInvariantException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which rule broke, and how.</param>
    /// <param name="innerException">The exception that showed it.</param>
    public FuzzInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws unless <paramref name="condition"/> holds.</summary>
    /// <param name="condition">The rule.</param>
    /// <param name="message">What broke when it does not.</param>
    /// <exception cref="FuzzInvariantException"><paramref name="condition"/> is false.</exception>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }
}
