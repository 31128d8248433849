using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Udp;

namespace Reactor.Tests.Support;

/// <summary>
/// A scripted datagram socket (the "fake socket" of Twisted's test_udp_internals): tests queue what reads return and
/// how sends and connects answer, record what the port did, and raise readiness by hand.
/// </summary>
internal sealed class FakeDatagramSocket : IDatagramSocket
{
    private readonly Queue<Incoming> _incoming = new();
    private readonly Queue<SocketError> _sendResults = new();
    private readonly List<(byte[] Data, IPEndPoint? Destination)> _held = [];
    private readonly EndPointCache _cache = new();

    public FakeDatagramSocket(AddressFamily family) => AddressFamily = family;

    public AddressFamily AddressFamily { get; }

    public bool Broadcast { get; set; }

    public int ReceiveBufferSize { get; set; } = 8192;

    public IPEndPoint? BoundTo { get; private set; }

    public bool BoundWithReuse { get; private set; }

    public SocketError BindResult { get; set; }

    public SocketError ConnectResult { get; set; }

    public IPEndPoint? ConnectedTo { get; private set; }

    public List<(byte[] Data, IPEndPoint? Destination)> Sent { get; } = [];

    public IDatagramSocketHandler? Handler { get; private set; }

    public bool Reading { get; private set; }

    public bool WantWritable { get; private set; }

    public bool Disposed { get; private set; }

    public List<(int MaxDatagrams, int MaxBytes)> ReceiveCalls { get; } = [];

    /// <summary>Receive, Send and FlushCoalesced, in the order the port called them.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Queues a datagram for the next Receive.</summary>
    public void Enqueue(byte[] data, IPEndPoint sender) => _incoming.Enqueue(new Incoming(data, sender, false, SocketError.Success));

    /// <summary>Queues a datagram that was longer than the receive buffer.</summary>
    public void EnqueueTruncated(IPEndPoint sender) => _incoming.Enqueue(new Incoming([], sender, true, SocketError.Success));

    /// <summary>Queues an error that the next read returns.</summary>
    public void EnqueueError(SocketError error) => _incoming.Enqueue(new Incoming([], null, false, error));

    /// <summary>
    /// Makes the next sends answer with these results (then Success). <see cref="SocketError.IOPending"/> holds the
    /// datagram, as a coalescing socket does, until <see cref="FlushCoalesced"/> sends it and reports it sent.
    /// </summary>
    public void NextSendResults(params SocketError[] results)
    {
        foreach (var result in results)
        {
            _sendResults.Enqueue(result);
        }
    }

    public void RaiseReadable() => Handler!.OnReadable();

    public void RaiseWritable() => Handler!.OnWritable();

    public SocketError Bind(IPEndPoint endpoint, bool reuse)
    {
        BoundWithReuse = reuse;
        if (BindResult != SocketError.Success)
        {
            return BindResult;
        }

        BoundTo = new IPEndPoint(endpoint.Address, endpoint.Port == 0 ? 40_000 : endpoint.Port);
        return SocketError.Success;
    }

    public IPEndPoint GetLocalEndPoint() => ConnectedTo is null
        ? BoundTo!
        : new IPEndPoint(AddressFamily == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, BoundTo!.Port);

    public SocketError Connect(IPEndPoint remote)
    {
        if (ConnectResult == SocketError.Success)
        {
            ConnectedTo = remote;
        }

        return ConnectResult;
    }

    public int Receive(IDatagramSink sink, int maxDatagrams, int maxBytes, out SocketError error)
    {
        ReceiveCalls.Add((maxDatagrams, maxBytes));
        Calls.Add(nameof(Receive));
        var count = 0;
        var bytes = 0;
        while (true)
        {
            if (count >= maxDatagrams || bytes >= maxBytes)
            {
                error = SocketError.Success;
                return count;
            }

            if (!_incoming.TryDequeue(out var next))
            {
                error = SocketError.WouldBlock;
                return count;
            }

            if (next.Error != SocketError.Success)
            {
                error = next.Error;
                return count;
            }

            var sender = _cache.GetOrAdd(next.Sender!.Serialize().Buffer.Span, next.Sender, static s => s);
            count++;
            bytes += next.Data.Length;
            if (next.Truncated)
            {
                sink.OnTruncated(sender);
            }
            else
            {
                sink.OnDatagram(next.Data, sender);
            }
        }
    }

    public SocketError Send(ReadOnlySpan<byte> datagram, IPEndPoint? destination)
    {
        Calls.Add(nameof(Send));
        var result = _sendResults.TryDequeue(out var scripted) ? scripted : SocketError.Success;
        if (result == SocketError.Success)
        {
            Sent.Add((datagram.ToArray(), destination));
        }
        else if (result == SocketError.IOPending)
        {
            _held.Add((datagram.ToArray(), destination));
        }

        return result;
    }

    public void FlushCoalesced()
    {
        Calls.Add(nameof(FlushCoalesced));
        if (_held.Count == 0)
        {
            return;
        }

        var bytes = 0L;
        foreach (var held in _held)
        {
            Sent.Add(held);
            bytes += held.Data.Length;
        }

        var count = _held.Count;
        _held.Clear();
        Handler!.OnCoalescedSent(count, bytes);
    }

    public Dictionary<(int Level, int Name), byte[]> Options { get; } = [];

    public SocketError SetRawOption(int level, int name, ReadOnlySpan<byte> value)
    {
        Options[(level, name)] = value.ToArray();
        return SocketError.Success;
    }

    public SocketError GetRawOption(int level, int name, Span<byte> value, out int length)
    {
        if (!Options.TryGetValue((level, name), out var stored))
        {
            length = 0;
            return SocketError.ProtocolOption;
        }

        stored.CopyTo(value);
        length = stored.Length;
        return SocketError.Success;
    }

    public void SetBufferSizes(int receiveBufferSize, int sendBufferSize)
    {
    }

    public void StartReading(IDatagramSocketHandler handler)
    {
        Handler = handler;
        Reading = true;
    }

    public void StopReading() => Reading = false;

    public void SetWantWritable(bool want) => WantWritable = want;

    public void Dispose()
    {
        Disposed = true;
        Reading = false;
    }

    private readonly record struct Incoming(byte[] Data, IPEndPoint? Sender, bool Truncated, SocketError Error);
}
