using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reactor.Endpoints;

/// <summary>
/// Thrown (as a Deferred's failure) when <see cref="HostnameEndpoint"/> tried every address a name resolved to and none
/// connected, or its overall timeout passed first: one failure per attempt, in the order the attempts started, so the
/// whole story is in one exception (decision D33 in docs/decisions.md).
/// </summary>
/// <remarks>
/// <see cref="ConnectException.SocketErrorCode"/> and <see cref="Exception.InnerException"/> are the last attempt's
/// (Twisted reports only that one). An attempt still under way when the timeout passed is listed as a
/// <see cref="ConnectTimeoutException"/>.
/// </remarks>
public class ConnectAttemptsFailedException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">The host and port asked for.</param>
    /// <param name="attempts">Each attempt's failure; its <see cref="ConnectException.Destination"/> is the address tried. At least one.</param>
    /// <param name="timedOut">Whether the overall timeout ended the attempts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="attempts"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="attempts"/> is empty.</exception>
    public ConnectAttemptsFailedException(EndPoint? destination, IReadOnlyList<ConnectException> attempts, bool timedOut)
        : base(destination, Last(attempts).SocketErrorCode, Describe(destination, attempts, timedOut), Last(attempts))
    {
        Attempts = [.. attempts];
        TimedOut = timedOut;
    }

    /// <summary>Each attempt's failure, in the order the attempts started.</summary>
    public IReadOnlyList<ConnectException> Attempts { get; }

    /// <summary>Whether the overall timeout ended the attempts (rather than every address failing by itself).</summary>
    public bool TimedOut { get; }

    private static ConnectException Last(IReadOnlyList<ConnectException> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        return attempts.Count > 0 ? attempts[^1] : throw new ArgumentException("At least one attempt failed.", nameof(attempts));
    }

    private static string Describe(EndPoint? destination, IReadOnlyList<ConnectException> attempts, bool timedOut)
    {
        var text = new StringBuilder("Could not connect").Append(To(destination));
        text.Append(timedOut ? " before the timeout" : string.Empty);
        text.Append(attempts.Count == 1 ? " (1 address tried): " : $" ({attempts.Count} addresses tried): ");
        for (var i = 0; i < attempts.Count; i++)
        {
            var attempt = attempts[i];
            text.Append(i == 0 ? string.Empty : "; ").Append(attempt.Destination).Append(": ").Append(Reason(attempt));
        }

        return text.ToString();
    }

    /// <summary>What went wrong with one attempt, without repeating its address.</summary>
    private static string Reason(ConnectException attempt) => attempt switch
    {
        ConnectTimeoutException timeout => $"timed out after {timeout.Timeout.TotalSeconds:0.###} s",
        { SocketErrorCode: not SocketError.SocketError and not SocketError.Success } => new SocketException((int)attempt.SocketErrorCode).Message,
        _ => attempt.Message,
    };
}
