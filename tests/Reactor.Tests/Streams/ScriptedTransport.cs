using System.Net;
using Reactor.Internal;
using Reactor.Internal.Streams;

namespace Reactor.Tests.Streams;

/// <summary>
/// A stream transport on a real reactor that records what its protocol does to it (writes, pauses, the producer, the
/// close) and lets the test play the network: <see cref="Receive"/>, <see cref="PeerHalfCloses"/>, <see cref="Close"/>,
/// and <see cref="Drain"/> (the kernel took what was buffered). Writes buffer until drained, and the registered producer
/// is paused above <see cref="HighWatermark"/> and resumed by the drain, as a stream transport's. Every call checks the
/// thread rule.
/// </summary>
internal sealed class ScriptedTransport(ReactorBase reactor) : ITransport, IReactorTransport
{
    private readonly List<byte> _written = [];

    public ReactorBase Reactor { get; } = reactor;

    public Protocol? Protocol { get; private set; }

    public byte[] Written => [.. _written];

    public int Writes { get; private set; }

    /// <summary>What happened, in order: <c>write:N</c>, <c>pause</c>, <c>resume</c>, <c>unregister</c>, <c>lose</c>.</summary>
    public List<string> Events { get; } = [];

    public bool ProducerPaused { get; private set; }

    public bool Paused { get; private set; }

    public int Pauses { get; private set; }

    public IProducer? Producer { get; private set; }

    public bool LoseConnectionCalled { get; private set; }

    public (string Callback, Exception Exception)? Failure { get; private set; }

    public Failure? LostReason { get; private set; }

    public bool Disconnecting => LoseConnectionCalled || Failure is not null || LostReason is not null;

    public long BufferedBytes { get; private set; }

    public int HighWatermark { get; set; } = 64 * 1024;

    public int LowWatermark { get; set; } = 16 * 1024;

    /// <summary>Connects <paramref name="protocol"/> to this transport (its ConnectionMade runs).</summary>
    public void Connect(Protocol protocol)
    {
        Protocol = protocol;
        protocol.MakeConnection(this);
    }

    /// <summary>Delivers <paramref name="data"/> as the reactor does, unless the protocol paused reading.</summary>
    public void Receive(ReadOnlySpan<byte> data)
    {
        Paused.Should().BeFalse("a paused transport does not read");
        Protocol!.DataReceived(data);
    }

    public void PeerHalfCloses() => ((IHalfCloseableProtocol)Protocol!).ReadConnectionLost();

    /// <summary>Ends the connection with <paramref name="reason"/>: the producer is stopped, then ConnectionLost runs.</summary>
    public void Close(Exception reason)
    {
        LostReason = new Failure(reason);
        var producer = Producer;
        Producer = null;
        producer?.StopProducing();
        Protocol!.ConnectionLost(LostReason);
    }

    /// <summary>The kernel took everything buffered: a paused producer is resumed.</summary>
    public void Drain()
    {
        BufferedBytes = 0;
        if (Producer is IPushProducer producer && ProducerPaused)
        {
            ProducerPaused = false;
            producer.ResumeProducing();
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        Reactor.VerifyAccess();
        Writes++;
        _written.AddRange(data);
        Events.Add($"write:{data.Length}");
        BufferedBytes += data.Length;
        if (Producer is IPushProducer producer && !ProducerPaused && BufferedBytes > HighWatermark)
        {
            ProducerPaused = true;
            producer.PauseProducing();
        }
    }

    public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> data)
    {
        foreach (var part in data)
        {
            Write(part.Span);
        }
    }

    public void RegisterProducer(IProducer producer, bool streaming)
    {
        Reactor.VerifyAccess();
        Producer.Should().BeNull();
        streaming.Should().BeTrue();
        Producer = producer;
    }

    public void UnregisterProducer()
    {
        Reactor.VerifyAccess();
        Events.Add("unregister");
        Producer = null;
        ProducerPaused = false;
    }

    public void PauseProducing()
    {
        Reactor.VerifyAccess();
        Paused = true;
        Pauses++;
        Events.Add("pause");
    }

    public void ResumeProducing()
    {
        Reactor.VerifyAccess();
        Paused = false;
        Events.Add("resume");
    }

    public void StopProducing() => LoseConnection();

    public void LoseConnection()
    {
        Reactor.VerifyAccess();
        LoseConnectionCalled = true;
        Events.Add("lose");
    }

    public void AbortConnection() => throw new NotSupportedException();

    public EndPoint GetHost() => new IPEndPoint(IPAddress.Loopback, 1);

    public EndPoint GetPeer() => new IPEndPoint(IPAddress.Loopback, 2);

    public void CloseWithFailure(string callback, Exception exception)
    {
        Reactor.VerifyAccess();
        Failure = (callback, exception);
    }
}
