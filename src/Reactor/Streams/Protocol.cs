namespace Reactor;

/// <summary>
/// The base class for stream protocols (Twisted's <c>Protocol</c>): subclass it, override <see cref="DataReceived"/>
/// (and <see cref="ConnectionMade"/>, <see cref="ConnectionLost"/> as needed), and hand a <see cref="Factory"/> that
/// builds it to <see cref="IReactorTcp.ListenTcp"/> or <see cref="IReactorTcp.ConnectTcp"/>. One instance serves one
/// connection.
/// </summary>
/// <remarks>
/// Every method is called on the reactor thread. An exception thrown from one is logged (with the transport's log
/// prefix) and closes the connection, with the exception as <see cref="ConnectionLost"/>'s reason; the reactor and the
/// listening port go on.
/// </remarks>
/// <example>
/// <code>
/// sealed class Echo : Protocol
/// {
///     public override void DataReceived(ReadOnlySpan&lt;byte&gt; data) => Transport!.Write(data);
/// }
/// </code>
/// </example>
public class Protocol
{
    /// <summary>The connection, once <see cref="MakeConnection"/> has run (it stays set after the connection closed; writes are then dropped).</summary>
    public ITransport? Transport { get; private set; }

    /// <summary>The factory that built this protocol, if it set itself here (the factories from <see cref="Factory.ForProtocol{TProtocol}"/> do).</summary>
    public Factory? Factory { get; set; }

    /// <summary>Whether the connection is open: from <see cref="MakeConnection"/> until <see cref="ConnectionLost"/>.</summary>
    public bool Connected { get; private set; }

    /// <summary>The name used in log messages about this protocol's connection. The class name by default.</summary>
    public virtual string LogPrefix => GetType().Name;

    /// <summary>
    /// Connects this protocol to <paramref name="transport"/> and calls <see cref="ConnectionMade"/> (Twisted's
    /// <c>makeConnection</c>). The reactor calls it; in tests, <c>Reactor.Testing.FakeStreamTransport.Attach</c> does.
    /// </summary>
    /// <param name="transport">The connection.</param>
    /// <exception cref="ArgumentNullException"><paramref name="transport"/> is null.</exception>
    public virtual void MakeConnection(ITransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Transport = transport;
        Connected = true;
        ConnectionMade();
    }

    /// <summary>Called once the connection is made, before any data is delivered. <see cref="Transport"/> is set.</summary>
    public virtual void ConnectionMade()
    {
    }

    /// <summary>
    /// Called with bytes received, in order. TCP is a byte stream: a message written by the peer may arrive split over
    /// several calls or joined with others, so frame it (see <c>Reactor.Protocols</c>).
    /// </summary>
    /// <param name="data">
    /// The bytes, a view of the reactor's receive buffer that is <b>valid only during this call</b>. Copy what you keep.
    /// </param>
    public virtual void DataReceived(ReadOnlySpan<byte> data)
    {
    }

    /// <summary>
    /// Called once when the connection has closed, for whatever reason: a <see cref="ConnectionDoneException"/> for a
    /// clean close (either side), a <see cref="ConnectionLostException"/> for a reset or network error, a
    /// <see cref="ConnectionAbortedException"/> after <see cref="ITransport.AbortConnection"/>, or the exception one of
    /// this protocol's callbacks threw. <see cref="Connected"/> is already <c>false</c>.
    /// </summary>
    /// <param name="reason">Why the connection closed.</param>
    public virtual void ConnectionLost(Failure reason)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name}>";

    /// <summary>Points an already connected protocol at a layer put under it (<c>StartTls</c>): its writes now go through it.</summary>
    internal void Reattach(ITransport transport) => Transport = transport;

    /// <summary>Marks the protocol disconnected; the transport calls it just before <see cref="ConnectionLost"/>.</summary>
    internal void MarkDisconnected() => Connected = false;
}
