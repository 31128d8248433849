using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Reactor.Tls;

/// <summary>
/// A TLS handshake failed: the peer's certificate did not verify, no TLS version was common, it timed out, or the
/// connection closed first. For a client it is the <see cref="ClientFactory.ClientConnectionFailed"/> reason (a TLS
/// connection that does not verify is a connection that failed, decision D35 in docs/decisions.md); for
/// <c>StartTls</c> it is the protocol's <see cref="Protocol.ConnectionLost"/> reason. <see cref="Reason"/> says which.
/// </summary>
public class TlsHandshakeException : ConnectException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="destination">The peer, if known.</param>
    /// <param name="reason">Why it failed.</param>
    /// <param name="message">What happened.</param>
    /// <param name="policyErrors">What the certificate check found, if it ran.</param>
    /// <param name="innerException">The runtime's exception (usually an <see cref="System.Security.Authentication.AuthenticationException"/>), if any.</param>
    public TlsHandshakeException(EndPoint? destination, TlsFailureReason reason, string message, SslPolicyErrors policyErrors = SslPolicyErrors.None, Exception? innerException = null)
        : base(destination, SocketError.SocketError, message, innerException)
    {
        Reason = reason;
        PolicyErrors = policyErrors;
    }

    /// <summary>Why the handshake failed.</summary>
    public TlsFailureReason Reason { get; }

    /// <summary>What the certificate check found (<see cref="SslPolicyErrors.None"/> when it did not run or found nothing).</summary>
    public SslPolicyErrors PolicyErrors { get; }
}
