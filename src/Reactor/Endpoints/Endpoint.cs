namespace Reactor.Endpoints;

/// <summary>
/// Endpoints from strings, and connecting a protocol you already have (Twisted's <c>serverFromString</c>,
/// <c>clientFromString</c>, <c>connectProtocol</c> and <c>quoteStringArgument</c>).
/// </summary>
/// <remarks>
/// <para>A description is a kind and its arguments, separated by colons: <c>tcp:8080:interface=127.0.0.1</c>,
/// <c>unix:/run/app.sock</c>, <c>systemd:domain=INET:index=0</c>. An argument is positional, or <c>key=value</c> (the
/// first <c>=</c> splits; later ones belong to the value); a backslash makes the next character literal, so write a
/// colon inside a value as <c>\:</c> (IPv6: <c>tcp6:8080:interface=\:\:1</c>) and a backslash as <c>\\</c>.
/// <see cref="QuoteStringArgument"/> does this for you. The kinds, their arguments and defaults are listed in
/// docs/endpoints.md; add your own with <see cref="EndpointParsers.AddServerKind"/> and
/// <see cref="EndpointParsers.AddClientKind"/>.</para>
/// <para>Every malformed description — an unknown kind, a missing, unknown or repeated argument, a bad value, a
/// dangling backslash — throws an <see cref="EndpointParseException"/> (a <see cref="FormatException"/>) that names the
/// kind, the argument and what is allowed. Parsing opens nothing: errors of the place itself (a port in use) come from
/// listening or connecting.</para>
/// </remarks>
public static class Endpoint
{
    /// <summary>A server endpoint from a description (Twisted's <c>serverFromString</c>): <c>tcp:8080</c>, <c>unix:/run/app.sock</c>, ….</summary>
    /// <param name="reactor">The reactor the endpoint listens with.</param>
    /// <param name="description">The description.</param>
    /// <param name="parsers">The kinds to accept; <c>null</c> means <see cref="EndpointParsers.Default"/>.</param>
    /// <returns>The endpoint; nothing is listening yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="description"/> is null.</exception>
    /// <exception cref="EndpointParseException">The description is malformed, or names an unknown kind.</exception>
    /// <exception cref="NotSupportedException">A kind's own parser says the description cannot be served here (a kind of your own may throw it).</exception>
    public static IStreamServerEndpoint ServerFromString(IReactor reactor, string description, EndpointParsers? parsers = null)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        return (parsers ?? EndpointParsers.Default).ParseServer(reactor, description);
    }

    /// <summary>A client endpoint from a description (Twisted's <c>clientFromString</c>): <c>tcp:example.com:80</c>, <c>unix:/run/app.sock</c>, ….</summary>
    /// <param name="reactor">The reactor the endpoint connects with.</param>
    /// <param name="description">The description.</param>
    /// <param name="parsers">The kinds to accept; <c>null</c> means <see cref="EndpointParsers.Default"/>.</param>
    /// <returns>The endpoint; nothing is connecting yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="description"/> is null.</exception>
    /// <exception cref="EndpointParseException">The description is malformed, or names an unknown kind.</exception>
    /// <exception cref="NotSupportedException">A kind's own parser says the description cannot be served here (a kind of your own may throw it).</exception>
    public static IStreamClientEndpoint ClientFromString(IReactor reactor, string description, EndpointParsers? parsers = null)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        return (parsers ?? EndpointParsers.Default).ParseClient(reactor, description);
    }

    /// <summary>
    /// A datagram endpoint from a description: <c>udp:9999:interface=127.0.0.1</c>, or a UDP socket systemd passed,
    /// <c>systemd:domain=INET:index=0</c>. Twisted has no datagram descriptions; these use the same grammar.
    /// </summary>
    /// <param name="reactor">The reactor the endpoint listens with.</param>
    /// <param name="description">The description.</param>
    /// <param name="parsers">The kinds to accept; <c>null</c> means <see cref="EndpointParsers.Default"/>.</param>
    /// <returns>The endpoint; nothing is bound yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="description"/> is null.</exception>
    /// <exception cref="EndpointParseException">The description is malformed, or names an unknown kind.</exception>
    public static IDatagramEndpoint DatagramFromString(IReactor reactor, string description, EndpointParsers? parsers = null)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        return (parsers ?? EndpointParsers.Default).ParseDatagram(reactor, description);
    }

    /// <summary>
    /// Escapes <paramref name="argument"/> for use inside a description: <c>\</c> becomes <c>\\</c>, <c>:</c> becomes
    /// <c>\:</c> (Twisted's <c>quoteStringArgument</c>) and <c>=</c> becomes <c>\=</c> (which Twisted leaves, so a
    /// positional value holding one would read as a keyword), so a path or an IPv6 address is read back as it is.
    /// </summary>
    /// <param name="argument">The value to embed.</param>
    /// <returns>The escaped value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="argument"/> is null.</exception>
    public static string QuoteStringArgument(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        return argument
            .Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace(":", "\\:", StringComparison.Ordinal)
            .Replace("=", "\\=", StringComparison.Ordinal);
    }

    /// <summary>
    /// Connects <paramref name="endpoint"/> with a protocol instance you already have (Twisted's <c>connectProtocol</c>):
    /// the connection gets <paramref name="protocol"/>, and the Deferred fires with it once connected.
    /// </summary>
    /// <typeparam name="TProtocol">The protocol's type, so the result needs no cast.</typeparam>
    /// <param name="endpoint">Where to connect.</param>
    /// <param name="protocol">The protocol the connection is made with (once; do not reuse it for another connection).</param>
    /// <returns>The endpoint's connect Deferred, typed: awaitable and cancellable, as <see cref="IStreamClientEndpoint.Connect"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Deferred<TProtocol> ConnectProtocol<TProtocol>(IStreamClientEndpoint endpoint, TProtocol protocol)
        where TProtocol : Protocol
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(protocol);
        return endpoint.Connect(new OneProtocolFactory(protocol)).Then(connected => (TProtocol)connected);
    }

    /// <summary>Twisted's <c>_InstanceFactory</c> for <c>connectProtocol</c>: every build returns the one protocol.</summary>
    private sealed class OneProtocolFactory(Protocol protocol) : Factory
    {
        public override string LogPrefix => protocol.LogPrefix;

        public override Protocol? BuildProtocol(System.Net.EndPoint address)
        {
            protocol.Factory ??= this;
            return protocol;
        }

        public override string ToString() => $"<connectProtocol factory of {protocol}>";
    }
}
