using Reactor.Internal.Streams;
using Reactor.Internal.Tls;

namespace Reactor.Tls;

/// <summary>
/// Upgrading a plaintext connection to TLS in place (Twisted's <c>startTLS</c>), for STARTTLS-style protocols.
/// </summary>
/// <remarks>
/// Order (decision D38 in docs/decisions.md): what the protocol wrote before <c>StartTls</c> is sent in the clear,
/// everything written after it inside TLS. After the call the protocol's <see cref="Protocol.Transport"/> is the TLS
/// transport (an <see cref="ITlsTransport"/>); read it again rather than keeping the old reference. A registered producer
/// moves to the TLS transport. A protocol that implements <see cref="IHandshakeListener"/> hears when the handshake
/// completed; a failed handshake closes the connection with a <see cref="TlsHandshakeException"/> as the reason.
/// </remarks>
public static class TlsTransportExtensions
{
    /// <summary>Starts TLS as the client, verifying the server as <paramref name="options"/> say.</summary>
    /// <param name="transport">The protocol's plaintext transport.</param>
    /// <param name="options">What to verify (<see cref="TlsClientOptions.ServerName"/> is required unless verification is off) and present.</param>
    /// <returns>The TLS transport, also the protocol's <see cref="Protocol.Transport"/> from now on.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No <see cref="TlsClientOptions.ServerName"/> to verify.</exception>
    /// <exception cref="InvalidOperationException">The transport is closing, already TLS, not a reactor's stream connection, or not on the reactor thread.</exception>
    public static ITlsTransport StartTls(this ITransport transport, TlsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (string.IsNullOrEmpty(options.ServerName) && !options.DangerousAcceptAnyServerCertificate)
        {
            throw new ArgumentException("A TLS client verifies the server's name: set TlsClientOptions.ServerName.", nameof(options));
        }

        return Start(transport, connected => new TlsProtocol(null, options, options.ServerName, connected));
    }

    /// <summary>Starts TLS as the server, presenting itself as <paramref name="options"/> say.</summary>
    /// <param name="transport">The protocol's plaintext transport.</param>
    /// <param name="options">The certificate and TLS settings.</param>
    /// <returns>The TLS transport, also the protocol's <see cref="Protocol.Transport"/> from now on.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The transport is closing, already TLS, not a reactor's stream connection, or not on the reactor thread.</exception>
    public static ITlsTransport StartTls(this ITransport transport, TlsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Start(transport, connected => new TlsProtocol(options, null, null, connected));
    }

    private static ITlsTransport Start(ITransport transport, Func<Protocol, TlsProtocol> layer)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (transport is not StreamConnection connection)
        {
            throw new InvalidOperationException(
                transport is ITlsTransport ? "The transport is already TLS." : "StartTls needs a reactor's stream connection (TCP, UNIX sockets).");
        }

        connection.OwnerReactor.VerifyAccess();
        if (connection.Disconnecting)
        {
            throw new InvalidOperationException("The connection is closing: it cannot start TLS.");
        }

        var protocol = connection.Protocol;
        var tls = layer(protocol);

        // The layer takes the connection's producer slot (for back-pressure); the protocol's producer, if any, moves up.
        var producer = connection.TakeProducer(out var streaming);
        connection.ReplaceProtocol(tls);
        tls.MakeConnection(connection);
        protocol.Reattach(tls);
        if (producer is not null)
        {
            tls.RegisterProducer(producer, streaming);
        }

        return tls;
    }
}
