using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Tcp;

/// <summary>A stream protocol that records what happens to it, with hooks for tests to act at each step.</summary>
public class RecordingStreamProtocol : Protocol
{
    private readonly List<byte> _received = [];

    public List<string> Events { get; } = [];

    public byte[] Received => [.. _received];

    public int DataCalls { get; private set; }

    public Failure? LostReason { get; private set; }

    public int Losses { get; private set; }

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
        DataCalls++;
        _received.AddRange(data);
        Events.Add($"data:{data.Length}");
        OnData?.Invoke(this, data.ToArray());
    }

    public override void ConnectionLost(Failure reason)
    {
        Losses++;
        LostReason = reason;
        Events.Add($"lost:{reason.ExceptionType.Name}");
        OnLost?.Invoke(this, reason);
    }
}

/// <summary>A client factory that records its callbacks and builds <see cref="RecordingStreamProtocol"/>s (or what <see cref="Build"/> says).</summary>
public sealed class RecordingClientFactory : ClientFactory
{
    public List<string> Events { get; } = [];

    public List<RecordingStreamProtocol> Protocols { get; } = [];

    public List<IConnector> Connectors { get; } = [];

    public Failure? FailedReason { get; private set; }

    public Failure? LostReason { get; private set; }

    public Func<EndPoint, Protocol?>? Build { get; set; }

    public Action<IConnector>? OnStarted { get; set; }

    public Action<IConnector, Failure>? OnFailed { get; set; }

    public Action<IConnector, Failure>? OnLost { get; set; }

    public EndPoint? BuiltFor { get; private set; }

    public override Protocol? BuildProtocol(EndPoint address)
    {
        Events.Add("build");
        BuiltFor = address;
        if (Build is not null)
        {
            return Build(address);
        }

        var protocol = new RecordingStreamProtocol();
        Protocols.Add(protocol);
        return protocol;
    }

    public override void StartFactory() => Events.Add("startFactory");

    public override void StopFactory() => Events.Add("stopFactory");

    public override void StartedConnecting(IConnector connector)
    {
        Events.Add("started");
        Connectors.Add(connector);
        OnStarted?.Invoke(connector);
    }

    public override void ClientConnectionFailed(IConnector connector, Failure reason)
    {
        Events.Add($"failed:{reason.ExceptionType.Name}");
        FailedReason = reason;
        OnFailed?.Invoke(connector, reason);
    }

    public override void ClientConnectionLost(IConnector connector, Failure reason)
    {
        Events.Add($"lost:{reason.ExceptionType.Name}");
        LostReason = reason;
        OnLost?.Invoke(connector, reason);
    }
}

/// <summary>A server factory that records the protocols it built.</summary>
public sealed class RecordingServerFactory : Factory
{
    public List<RecordingStreamProtocol> Protocols { get; } = [];

    public List<EndPoint> Peers { get; } = [];

    public List<string> Events { get; } = [];

    public Action<RecordingStreamProtocol>? Configure { get; set; }

    public Func<EndPoint, Protocol?>? Build { get; set; }

    public override Protocol? BuildProtocol(EndPoint address)
    {
        Peers.Add(address);
        if (Build is not null)
        {
            return Build(address);
        }

        var protocol = new RecordingStreamProtocol();
        Configure?.Invoke(protocol);
        Protocols.Add(protocol);
        return protocol;
    }

    public override void StartFactory() => Events.Add("startFactory");

    public override void StopFactory() => Events.Add("stopFactory");
}

/// <summary>Helpers for TCP tests: one reactor serving as both ends, bounded runs.</summary>
public static class TcpTestKit
{
    /// <summary>Every backend × loopback of each family, as strings for the interface argument.</summary>
    public static TheoryData<ReactorBackend, string> BackendsAndLoopbacks => Families.BackendsAndLoopbacks;

    /// <summary>
    /// Iterates <paramref name="reactor"/> (without running or stopping it, so it can be iterated again) until
    /// <paramref name="done"/> holds, failing the test after <paramref name="timeout"/>.
    /// </summary>
    public static void RunUntil(this IReactor reactor, Func<bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!done() && DateTime.UtcNow < deadline)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(5));
        }

        done().Should().BeTrue("the condition should hold before the test's deadline");
    }

    /// <summary>A connected pair of blocking .NET sockets to <paramref name="endpoint"/>'s family, for a raw peer.</summary>
    public static Socket RawClient(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endpoint);
        return socket;
    }

    /// <summary>Reads until the peer closes (or <paramref name="limit"/> bytes), with a receive timeout.</summary>
    public static byte[] ReadToEnd(Socket socket, int limit = int.MaxValue, int timeoutMilliseconds = 10_000)
    {
        socket.ReceiveTimeout = timeoutMilliseconds;
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (received.Length < limit)
        {
            var n = socket.Receive(buffer);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
        }

        return received.ToArray();
    }
}
