using Reactor.Internal.Resolve;
using Reactor.Internal.Tls;

namespace Reactor.Tls;

/// <summary>
/// Puts TLS under the protocols a factory builds (Twisted's <c>TLSMemoryBIOFactory</c>): listen or connect with the
/// factory this returns, over any stream transport, and the wrapped factory's protocols read and write plaintext.
/// <see cref="TlsReactorExtensions.ListenSsl"/> and <see cref="TlsReactorExtensions.ConnectSsl"/> are the shortcuts for TCP.
/// </summary>
/// <remarks>
/// The wrapped factory's protocol is built, and its <see cref="Protocol.ConnectionMade"/> called, only once the
/// handshake and the peer's verification have succeeded (decision D35 in docs/decisions.md); a protocol that implements
/// <see cref="IHandshakeListener"/> then hears <see cref="IHandshakeListener.HandshakeCompleted"/>. Its transport is an
/// <see cref="ITlsTransport"/>.
/// </remarks>
public static class TlsFactory
{
    /// <summary>A server factory: each accepted connection is TLS, presented with <paramref name="options"/>.</summary>
    /// <param name="factory">Builds the protocol for each connection, after its handshake.</param>
    /// <param name="options">The certificate and TLS settings.</param>
    /// <returns>The factory to listen with.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A timeout in <paramref name="options"/> is not positive.</exception>
    public static Factory ForServer(Factory factory, TlsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new TlsServerFactory(factory, options);
    }

    /// <summary>A client factory: the connection is TLS, and the server is verified as <paramref name="options"/> say.</summary>
    /// <param name="factory">Builds the protocol once the handshake succeeded, and hears how the attempt went.</param>
    /// <param name="options">What to verify and present; <see cref="TlsClientOptions.ServerName"/> is required (unless verification is turned off).</param>
    /// <returns>The client factory to connect with.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No <see cref="TlsClientOptions.ServerName"/> to verify.</exception>
    public static ClientFactory ForClient(ClientFactory factory, TlsClientOptions options) => ForClient(factory, options, host: null);

    /// <summary>The client factory for <paramref name="host"/>: verifies <see cref="TlsClientOptions.ServerName"/>, or the host itself.</summary>
    internal static ClientFactory ForClient(ClientFactory factory, TlsClientOptions options, string? host)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        return new TlsClientFactory(factory, options, ServerNameFor(options, host));
    }

    /// <summary>The name a client verifies: <see cref="TlsClientOptions.ServerName"/>, or <paramref name="host"/>, in its IDNA form; checks the options.</summary>
    internal static string? ServerNameFor(TlsClientOptions options, string? host)
    {
        options.Validate();
        var serverName = options.ServerName ?? host;
        if (string.IsNullOrEmpty(serverName) && !options.DangerousAcceptAnyServerCertificate)
        {
            throw new ArgumentException("A TLS client verifies the server's name: set TlsClientOptions.ServerName.", nameof(options));
        }

        if (serverName is not null && IPLiteral.TryParse(serverName, out var address))
        {
            serverName = address.ToString(); // verified against the certificate's IP addresses; never sent with SNI
        }
        else if (serverName is not null)
        {
            // Twisted's optionsForClientTLS: a name in Unicode is sent (SNI) and verified in its IDNA form, NFC first, as
            // certificates hold it — HostnameEndpoint's rule. One that has no IDNA form stays as given and cannot match
            // a certificate.
            try
            {
                serverName = Endpoints.HostnameEndpoint.AsciiHost(serverName);
            }
            catch (ArgumentException)
            {
                // Not a valid IDN: verification fails against any certificate, as for any other wrong name.
            }
        }

        return serverName;
    }
}
