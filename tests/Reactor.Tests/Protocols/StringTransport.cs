using System.Net;

namespace Reactor.Tests.Protocols;

/// <summary>
/// A transport that only records (Twisted's <c>proto_helpers.StringTransport</c>), for driving framing protocols by
/// hand: what was written, whether it is disconnecting, paused, and which producer is registered. Unlike a real
/// transport, registering a pull producer does not call it; the test does.
/// </summary>
internal sealed class StringTransport : ITcpTransport
{
    private readonly MemoryStream _written = new();

    public bool Disconnecting { get; private set; }

    public bool Aborted { get; private set; }

    public bool ReadingPaused { get; private set; }

    public int PauseCalls { get; private set; }

    public int ResumeCalls { get; private set; }

    public bool StopCalled { get; private set; }

    public int Writes { get; private set; }

    public IProducer? Producer { get; private set; }

    /// <summary>Counts writes but keeps no bytes (for allocation measurements).</summary>
    public bool Discard { get; init; }

    public bool Streaming { get; private set; }

    public long BufferedBytes => 0;

    public int HighWatermark { get; set; } = 65536;

    public int LowWatermark { get; set; } = 16384;

    public bool NoDelay { get; set; } = true;

    public bool KeepAlive { get; set; }

    /// <summary>Everything written so far.</summary>
    public byte[] Value() => _written.ToArray();

    public void Clear() => _written.SetLength(0);

    public void Write(ReadOnlySpan<byte> data)
    {
        Writes++;
        if (!Discard)
        {
            _written.Write(data);
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
        if (Producer is not null)
        {
            throw new InvalidOperationException("a producer is already registered");
        }

        Producer = producer;
        Streaming = streaming;
    }

    public void UnregisterProducer()
    {
        Producer = null;
        Streaming = false;
    }

    public void LoseConnection() => Disconnecting = true;

    public void AbortConnection()
    {
        Disconnecting = true;
        Aborted = true;
    }

    public void LoseWriteConnection()
    {
    }

    public void PauseProducing()
    {
        PauseCalls++;
        ReadingPaused = true;
    }

    public void ResumeProducing()
    {
        ResumeCalls++;
        ReadingPaused = false;
    }

    public void StopProducing()
    {
        StopCalled = true;
        LoseConnection();
    }

    public IPEndPoint GetHost() => new(IPAddress.Loopback, 1);

    public IPEndPoint GetPeer() => new(IPAddress.Loopback, 2);

    EndPoint ITransport.GetHost() => GetHost();

    EndPoint ITransport.GetPeer() => GetPeer();
}
