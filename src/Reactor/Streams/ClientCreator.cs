using System.Net;
using Reactor.Internal.Streams;

namespace Reactor;

/// <summary>
/// One-shot client connections without writing a factory (Twisted's <c>ClientCreator</c>): <see cref="ConnectTcp"/>
/// (or <see cref="ConnectUnix"/>) connects, builds a protocol with the function given here, and returns a <see cref="Deferred{T}"/> of that protocol —
/// awaitable, and cancellable to abort the attempt. Use a <see cref="ClientFactory"/> instead when connections share
/// state or should reconnect (<see cref="ReconnectingClientFactory"/>).
/// </summary>
/// <typeparam name="TProtocol">The protocol the Deferred delivers.</typeparam>
/// <remarks>
/// <para>The Deferred fires with the protocol after its <see cref="Protocol.ConnectionMade"/> has run, on the next
/// iteration of the loop (as in Twisted); by then <see cref="Protocol.Connected"/> is <c>true</c> unless
/// <c>ConnectionMade</c> itself closed the connection (or threw, which aborts it). It fails with the attempt's
/// <see cref="ConnectException"/>: <see cref="ConnectionRefusedException"/>, <see cref="ConnectTimeoutException"/>,
/// <see cref="DnsLookupException"/>, …; with <see cref="NoProtocolException"/> if the function returned <c>null</c>; or
/// with the exception the function threw. The protocol is built only once connected, so a failed attempt builds none.</para>
/// <para><b>Cancelling</b> the Deferred (<see cref="Deferred.Cancel"/>) before it fires always fails it with a
/// <see cref="ConnectingCancelledException"/> (decision D39 in docs/decisions.md), whatever the attempt had reached: an attempt under way is
/// stopped (<see cref="IConnector.StopConnecting"/>), and a connection made but not yet delivered is closed. Cancelling
/// after it fired changes nothing. Every member is reactor-thread-only.</para>
/// </remarks>
/// <example>
/// <code>
/// var creator = new ClientCreator&lt;Greeter&gt;(reactor, () => new Greeter("hello"));
/// Greeter greeter = await creator.ConnectTcp("127.0.0.1", 8000);
/// </code>
/// </example>
public sealed class ClientCreator<TProtocol>
    where TProtocol : Protocol
{
    private readonly IReactor _reactor;
    private readonly Func<TProtocol> _create;

    /// <summary>Creates a creator whose connections use <paramref name="reactor"/> and get a protocol from <paramref name="create"/>.</summary>
    /// <param name="reactor">The reactor to connect with.</param>
    /// <param name="create">Makes the protocol for one connection, once it is established (it may capture arguments).</param>
    /// <exception cref="ArgumentNullException"><paramref name="reactor"/> or <paramref name="create"/> is null.</exception>
    public ClientCreator(IReactor reactor, Func<TProtocol> create)
    {
        ArgumentNullException.ThrowIfNull(reactor);
        ArgumentNullException.ThrowIfNull(create);
        _reactor = reactor;
        _create = create;
    }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> over TCP (<see cref="IReactorTcp.ConnectTcp"/>) and
    /// delivers the connected protocol.
    /// </summary>
    /// <param name="host">An IP literal, or a host name resolved with <see cref="IReactorResolve.Resolve"/>.</param>
    /// <param name="port">The port, 1–65535.</param>
    /// <param name="timeout">How long the attempt (name resolution included) may take; <c>null</c> means 30 seconds.</param>
    /// <param name="bindAddress">A local address (and port, 0 for any) to connect from, or <c>null</c>.</param>
    /// <returns>The protocol, once connected; cancel it to abort.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1–65535 or <paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    public Deferred<TProtocol> ConnectTcp(string host, int port, TimeSpan? timeout = null, IPEndPoint? bindAddress = null)
    {
        var attempt = new ConnectAttempt<TProtocol>(_reactor, _ => _create(), "ClientCreator");
        attempt.Connector = _reactor.ConnectTcp(host, port, attempt, timeout, bindAddress);
        return attempt.Result;
    }

    /// <summary>
    /// Connects to the UNIX socket at <paramref name="path"/> (<see cref="IReactorUnix.ConnectUnix"/>) and delivers the
    /// connected protocol.
    /// </summary>
    /// <param name="path">The file path, or <c>@name</c> for a Linux abstract name.</param>
    /// <param name="timeout">How long the attempt may take; <c>null</c> means 30 seconds.</param>
    /// <param name="checkPid">Connect only if a live process holds the server's lock file (see <see cref="IReactorUnix.ConnectUnix"/>).</param>
    /// <returns>The protocol, once connected; cancel it to abort.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="InvalidAddressException"><paramref name="path"/> is empty, too long or holds a NUL.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">Not on the reactor thread.</exception>
    public Deferred<TProtocol> ConnectUnix(string path, TimeSpan? timeout = null, bool checkPid = false)
    {
        var attempt = new ConnectAttempt<TProtocol>(_reactor, _ => _create(), "ClientCreator");
        attempt.Connector = _reactor.ConnectUnix(path, attempt, timeout, checkPid);
        return attempt.Result;
    }
}
