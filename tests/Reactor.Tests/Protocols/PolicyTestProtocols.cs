using System.Net;
using System.Text;

namespace Reactor.Tests.Protocols;

/// <summary>Protocols the policy tests wrap: one that echoes and records, one that announces it is busy.</summary>
internal sealed class EchoRecorder : Protocol
{
    public List<string> Events { get; } = [];

    public StringBuilder Received { get; } = new();

    public Failure? LostReason { get; private set; }

    public bool Echo { get; init; } = true;

    public override void ConnectionMade() => Events.Add("made");

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        Received.Append(Encoding.ASCII.GetString(data));
        if (Echo)
        {
            Transport!.Write(data);
        }
    }

    public override void ConnectionLost(Failure reason)
    {
        Events.Add("lost");
        LostReason = reason;
    }
}

/// <summary>Says "busy" and closes: an overflow protocol.</summary>
internal sealed class Busy : Protocol
{
    public override void ConnectionMade()
    {
        Transport!.Write("busy\r\n"u8);
        Transport.LoseConnection();
    }
}

/// <summary>Addresses for the unit tests (documentation ranges: no real host).</summary>
internal static class PolicyPeers
{
    public static IPEndPoint Peer(string address, int port = 40000) => new(IPAddress.Parse(address), port);
}
