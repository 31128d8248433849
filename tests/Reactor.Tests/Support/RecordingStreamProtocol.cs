namespace Reactor.Tests.Support;

/// <summary>
/// A stream protocol that records what its transport tells it, for assertions: <see cref="Events"/> holds the lifecycle
/// in order ("made", "read lost", "write lost", "lost ConnectionDoneException"), <see cref="Received"/> every byte
/// received (however the transport split them into calls). The hooks let a test act inside each callback.
/// </summary>
public class RecordingStreamProtocol : Protocol
{
    private readonly List<byte> _received = [];

    public List<string> Events { get; } = [];

    public IReadOnlyList<byte> Received => _received;

    public List<Failure> Lost { get; } = [];

    /// <summary>Whether <see cref="Protocol.Connected"/> was already false when ConnectionLost ran.</summary>
    public bool? ConnectedDuringLost { get; private set; }

    public Action<RecordingStreamProtocol>? OnMade { get; set; }

    public Action<RecordingStreamProtocol, byte[]>? OnData { get; set; }

    public Action<RecordingStreamProtocol, Failure>? OnLost { get; set; }

    public ITcpTransport Tcp => (ITcpTransport)Transport!;

    public override void ConnectionMade()
    {
        Events.Add("made");
        OnMade?.Invoke(this);
    }

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        var copy = data.ToArray();
        _received.AddRange(copy);
        OnData?.Invoke(this, copy);
    }

    public override void ConnectionLost(Failure reason)
    {
        Events.Add($"lost {reason.Exception.GetType().Name}");
        Lost.Add(reason);
        ConnectedDuringLost = Connected;
        OnLost?.Invoke(this, reason);
    }
}

/// <summary>A <see cref="RecordingStreamProtocol"/> that asks to hear half-closes (<see cref="IHalfCloseableProtocol"/>).</summary>
public sealed class HalfCloseableRecordingProtocol : RecordingStreamProtocol, IHalfCloseableProtocol
{
    public Action<HalfCloseableRecordingProtocol>? OnReadLost { get; set; }

    public void ReadConnectionLost()
    {
        Events.Add("read lost");
        OnReadLost?.Invoke(this);
    }

    public void WriteConnectionLost() => Events.Add("write lost");
}
