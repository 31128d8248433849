using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Endpoints;
using Reactor.Internal.Resolve;

namespace Reactor.Endpoints;

/// <summary>
/// Connects over TCP to a host name, trying its addresses the way RFC 8305 ("happy eyeballs") says, so a broken IPv6
/// path does not stall the connection (Twisted's <c>HostnameEndpoint</c>): the name is resolved to all its addresses;
/// attempts start in the resolver's order with the address families interleaved (the first family, then the other,
/// then the first again); a new attempt starts every <see cref="AttemptDelay"/> (250 ms) — or at once when an attempt
/// fails; the first to connect wins and every other attempt is cancelled; one overall <see cref="Timeout"/> covers the
/// lookup and every attempt (decision D33 in docs/decisions.md).
/// </summary>
/// <remarks>
/// <para>Only one protocol is ever built: the factory's <see cref="Factory.BuildProtocol"/> runs for the first
/// connection, and a connection that completes after it is closed unused.</para>
/// <para>Failures: the name does not resolve, or has no address of a usable family → <see cref="DnsLookupException"/>;
/// every attempt failed, or the timeout passed → <see cref="ConnectAttemptsFailedException"/> with one failure per
/// attempt; the timeout passed during the lookup → <see cref="ConnectTimeoutException"/>; cancelled →
/// <see cref="ConnectingCancelledException"/>; the factory built no protocol → <see cref="NoProtocolException"/>.</para>
/// <para>A non-ASCII host name is converted to its IDNA (punycode) form; a name that cannot be fails the
/// <see cref="Connect"/> with an <see cref="InvalidAddressException"/>, as Twisted defers such errors to
/// <c>connect</c>. With a <see cref="BindAddress"/>, only addresses of its family are tried.</para>
/// </remarks>
public sealed class HostnameEndpoint : IStreamClientEndpoint
{
    /// <summary>RFC 8305's recommended "Connection Attempt Delay": 250 ms between the starts of two attempts.</summary>
    public static readonly TimeSpan DefaultAttemptDelay = TimeSpan.FromMilliseconds(250);

    private readonly IReactor _reactor;

    /// <summary>Records where to connect; nothing happens until <see cref="Connect"/>.</summary>
    /// <param name="reactor">The reactor to resolve and connect with.</param>
    /// <param name="host">A host name (or an IP literal, connected to directly).</param>
    /// <param name="port">The port, 1–65535.</param>
    /// <param name="timeout">How long the whole connect (lookup and every attempt) may take; <c>null</c> means 30 seconds.</param>
    /// <param name="bindAddress">A local address (and port, 0 for any) to connect from, or <c>null</c>.</param>
    /// <param name="attemptDelay">How long to wait for an attempt before starting the next; <c>null</c> means <see cref="DefaultAttemptDelay"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="port"/> is outside 1–65535, <paramref name="timeout"/> is not positive, or <paramref name="attemptDelay"/> is negative.
    /// </exception>
    public HostnameEndpoint(IReactor reactor, string host, int port, TimeSpan? timeout = null, IPEndPoint? bindAddress = null, TimeSpan? attemptDelay = null)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        EndpointChecks.ClientTarget(host, port, timeout);
        if (attemptDelay is { } delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(attemptDelay));
        }

        _reactor = reactor;
        Host = host;
        Port = port;
        Timeout = timeout ?? EndpointChecks.DefaultTimeout;
        BindAddress = bindAddress;
        AttemptDelay = attemptDelay ?? DefaultAttemptDelay;
    }

    /// <summary>The host to connect to, as given.</summary>
    public string Host { get; }

    /// <summary>The port to connect to.</summary>
    public int Port { get; }

    /// <summary>How long the whole connect may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The local address to connect from, if any.</summary>
    public IPEndPoint? BindAddress { get; }

    /// <summary>How long an attempt runs alone before the next one starts.</summary>
    public TimeSpan AttemptDelay { get; }

    /// <inheritdoc/>
    /// <remarks>The protocol's transport is an <see cref="ITcpTransport"/>, connected to the address that won.</remarks>
    public Deferred<Protocol> Connect(Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        string name;
        try
        {
            name = AsciiHost(Host);
        }
        catch (ArgumentException e)
        {
            return Deferred.Fail<Protocol>(new InvalidAddressException(Host, $"not a valid host name ({e.Message})"));
        }

        return new HappyEyeballs(_reactor, name, Port, Timeout, BindAddress, AttemptDelay, factory).Start();
    }

    /// <summary>Twisted's repr: <c>&lt;HostnameEndpoint example.com:443&gt;</c>, an IPv6 literal in brackets.</summary>
    /// <returns>The endpoint's description.</returns>
    public override string ToString() =>
        IPLiteral.TryParse(Host, out var literal) && literal.AddressFamily == AddressFamily.InterNetworkV6
            ? $"<HostnameEndpoint [{Host}]:{Port}>"
            : $"<HostnameEndpoint {Host}:{Port}>";

    /// <summary>An IP literal or ASCII name as it is; anything else in its IDNA form (Twisted: NFC, then IDNA).</summary>
    /// <exception cref="ArgumentException"><paramref name="host"/> has no IDNA form.</exception>
    internal static string AsciiHost(string host)
    {
        if (IPLiteral.TryParse(host, out _) || System.Text.Ascii.IsValid(host))
        {
            return host;
        }

        return new IdnMapping().GetAscii(host.Normalize(System.Text.NormalizationForm.FormC));
    }
}
