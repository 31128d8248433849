namespace Reactor.Internal.Protocols;

/// <summary>
/// The protocol a policy factory hands the transport in place of the one its inner factory built (Twisted's
/// <c>policies.ProtocolWrapper</c>): every callback goes straight through to <see cref="Inner"/>, and the policy hears
/// when the connection ends, whatever ended it (an exception from the inner protocol's own <c>ConnectionLost</c>
/// included). The inner protocol sees the real transport unless the policy puts its own in between
/// (the throttle does), so <see cref="ITcpTransport"/> and TLS casts keep working.
/// </summary>
/// <remarks>
/// A half-closeable inner protocol gets a half-closeable wrapper (<see cref="Create"/>), so wrapping never changes what
/// the transport does on the peer's FIN.
/// </remarks>
internal class WrappedProtocol : Protocol
{
    private readonly Action<WrappedProtocol> _onLost;
    private readonly Func<ITransport, ITransport>? _transportForInner;
    private readonly Action<int>? _countRead;

    private WrappedProtocol(Protocol inner, Action<WrappedProtocol> onLost, Func<ITransport, ITransport>? transportForInner, Action<int>? countRead)
    {
        Inner = inner;
        _onLost = onLost;
        _transportForInner = transportForInner;
        _countRead = countRead;
    }

    /// <summary>The protocol the inner factory built.</summary>
    internal Protocol Inner { get; }

    public override string LogPrefix => Inner.LogPrefix;

    /// <summary>
    /// A wrapper for <paramref name="inner"/> that reports to <paramref name="onLost"/> once its connection has ended;
    /// <paramref name="transportForInner"/>, when given, makes the transport the inner protocol sees from the real one;
    /// <paramref name="countRead"/> hears the length of everything received.
    /// </summary>
    internal static WrappedProtocol Create(
        Protocol inner, Action<WrappedProtocol> onLost, Func<ITransport, ITransport>? transportForInner = null, Action<int>? countRead = null) =>
        inner is IHalfCloseableProtocol
            ? new HalfCloseable(inner, onLost, transportForInner, countRead)
            : new WrappedProtocol(inner, onLost, transportForInner, countRead);

    public override void ConnectionMade() => Inner.MakeConnection(_transportForInner?.Invoke(Transport!) ?? Transport!);

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        _countRead?.Invoke(data.Length);
        Inner.DataReceived(data);
    }

    public override void ConnectionLost(Failure reason)
    {
        try
        {
            Inner.MarkDisconnected();
            Inner.ConnectionLost(reason);
        }
        finally
        {
            _onLost(this);
        }
    }

    public override string ToString() => $"<{GetType().Name} of {Inner}>";

    private sealed class HalfCloseable(Protocol inner, Action<WrappedProtocol> onLost, Func<ITransport, ITransport>? transportForInner, Action<int>? countRead)
        : WrappedProtocol(inner, onLost, transportForInner, countRead), IHalfCloseableProtocol
    {
        public void ReadConnectionLost() => ((IHalfCloseableProtocol)Inner).ReadConnectionLost();

        public void WriteConnectionLost() => ((IHalfCloseableProtocol)Inner).WriteConnectionLost();
    }
}
