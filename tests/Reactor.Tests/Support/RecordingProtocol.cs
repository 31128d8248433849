using System.Net;
using System.Text;

namespace Reactor.Tests.Support;

/// <summary>A protocol that records every call, for assertions.</summary>
public class RecordingProtocol : DatagramProtocol
{
    public List<string> Events { get; } = [];

    public List<(byte[] Data, IPEndPoint Sender)> Received { get; } = [];

    public int Starts { get; private set; }

    public int Stops { get; private set; }

    public int Refusals { get; private set; }

    public IUdpTransport? TransportDuringStop { get; private set; } = new Placeholder();

    public Action<RecordingProtocol>? OnStart { get; set; }

    public Action<RecordingProtocol, byte[], IPEndPoint>? OnDatagram { get; set; }

    public Action? OnRefused { get; set; }

    public override void StartProtocol()
    {
        Starts++;
        Events.Add("start");
        OnStart?.Invoke(this);
    }

    public override void StopProtocol()
    {
        Stops++;
        Events.Add("stop");
        TransportDuringStop = Transport;
    }

    public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        var copy = datagram.ToArray();
        Received.Add((copy, sender));
        Events.Add($"datagram {Encoding.ASCII.GetString(copy)}");
        OnDatagram?.Invoke(this, copy, sender);
    }

    public override void ConnectionRefused()
    {
        Refusals++;
        Events.Add("refused");
        OnRefused?.Invoke();
    }

    public override void PauseWriting() => Events.Add("pause");

    public override void ResumeWriting() => Events.Add("resume");

    /// <summary>Stands for "never observed", distinct from null.</summary>
    private sealed class Placeholder : IUdpTransport
    {
        public int MaxPacketSize => 0;

        public bool BroadcastAllowed { get; set; }

        public void Connect(string host, int port) => throw new NotSupportedException();

        public IPEndPoint GetHost() => throw new NotSupportedException();

        EndPoint IListeningPort.GetHost() => GetHost();

        public IPEndPoint? GetPeer() => null;

        public Deferred<object?> StopListening() => throw new NotSupportedException();

        public void Write(ReadOnlySpan<byte> datagram, IPEndPoint? destination = null) => throw new NotSupportedException();

        public void Write(ReadOnlySpan<byte> datagram, string host, int port) => throw new NotSupportedException();

        public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> parts, IPEndPoint? destination = null) => throw new NotSupportedException();
    }
}
