using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Tests.Support;

/// <summary>
/// A TCP listener on 127.0.0.1 that never accepts and whose accept queue is full (backlog 0, one connection waiting):
/// Linux then drops every further SYN, so a connection attempt to it gets no answer at all — as from a host that is
/// down — without a packet leaving the machine. Linux only (it reads <c>/proc/net/tcp</c>).
/// </summary>
public sealed class SilentListener : IDisposable
{
    private const string Listen = "0A";
    private const string SynSent = "02";

    private readonly Socket _listener;
    private readonly Socket _filler;

    public SilentListener()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _filler.Connect(Endpoint);
        ReactorRunner.WaitUntil(() => AcceptQueueLength() >= 1).Should().BeTrue("the filler connection must wait in the accept queue");
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>Connections waiting to be accepted (a LISTEN socket's rx_queue in /proc/net/tcp).</summary>
    public int AcceptQueueLength() =>
        Rows().Where(r => r.Local == Hex(Endpoint) && r.State == Listen).Select(r => r.RxQueue).FirstOrDefault();

    /// <summary>Attempts to this listener still waiting for an answer (SYN-SENT sockets), from any process.</summary>
    public int PendingAttempts() => Rows().Count(r => r.Remote == Hex(Endpoint) && r.State == SynSent);

    public void Dispose()
    {
        _filler.Dispose();
        _listener.Dispose();
    }

    private static string Hex(IPEndPoint endpoint) => $"0100007F:{endpoint.Port:X4}";

    private static IEnumerable<(string Local, string Remote, string State, int RxQueue)> Rows() =>
        File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (f[1], f[2], f[3], int.Parse(f[4].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
}
