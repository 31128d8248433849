using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Reactor.Internal;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Linux;
using Reactor.Internal.Udp;

namespace Reactor.Tests.Backends.Epoll;

/// <summary>Loopback sockets, peers and bounded receive loops for the epoll datagram socket tests.</summary>
internal static class EpollSocketTestKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static TheoryData<AddressFamily> AddressFamilies => new() { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 };

    public static IReactor NewReactor() => ReactorFactory.Create(new ReactorOptions { Backend = ReactorBackend.Epoll });

    public static IPAddress Loopback(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;

    public static EpollDatagramSocket Open(IReactor reactor, AddressFamily family) =>
        (EpollDatagramSocket)((ReactorBase)reactor).Sockets.CreateDatagramSocket(family);

    /// <summary>An epoll socket bound to the loopback address on a port the kernel picks.</summary>
    public static EpollDatagramSocket Bound(IReactor reactor, AddressFamily family)
    {
        var socket = Open(reactor, family);
        socket.Bind(new IPEndPoint(Loopback(family), 0), reuse: false).Should().Be(SocketError.Success);
        return socket;
    }

    /// <summary>A plain .NET socket bound to loopback: the other end of every exchange.</summary>
    public static Socket Peer(AddressFamily family)
    {
        var peer = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(Loopback(family), 0));
        peer.ReceiveTimeout = (int)Deadline.TotalMilliseconds;
        return peer;
    }

    public static IPEndPoint LocalEndPoint(this Socket socket) => (IPEndPoint)socket.LocalEndPoint!;

    /// <summary>A loopback port nothing listens on (bound, then closed).</summary>
    public static IPEndPoint ClosedPort(AddressFamily family)
    {
        using var probe = Peer(family);
        return probe.LocalEndPoint();
    }

    /// <summary>
    /// Returns once everything <paramref name="peer"/> sent before is queued at its destination: loopback delivers one
    /// sender's datagrams in order, so a datagram seen at a second socket means the earlier ones have landed too.
    /// </summary>
    public static void Fence(Socket peer)
    {
        using var fence = Peer(peer.AddressFamily);
        peer.SendTo([0xFE], fence.LocalEndPoint());
        var buffer = new byte[1];
        fence.Receive(buffer).Should().Be(1, "the fence datagram should arrive within the deadline");
    }

    /// <summary>Calls Receive until <paramref name="done"/> or the deadline; fails on a real error. Returns each call's result.</summary>
    public static List<(int Count, SocketError Error)> ReceiveUntil(
        IDatagramSocket socket, IDatagramSink sink, Func<bool> done, int maxDatagrams = 1000, int maxBytes = int.MaxValue)
    {
        var calls = new List<(int, SocketError)>();
        var deadline = Stopwatch.GetTimestamp() + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
        while (!done())
        {
            Stopwatch.GetTimestamp().Should().BeLessThan(deadline, "the datagrams should arrive before the deadline");
            var count = socket.Receive(sink, maxDatagrams, maxBytes, out var error);
            error.Should().BeOneOf(SocketError.Success, SocketError.WouldBlock);
            calls.Add((count, error));
            if (error == SocketError.WouldBlock)
            {
                Thread.Yield();
            }
        }

        return calls;
    }

    /// <summary>Runs reactor iterations until <paramref name="condition"/> holds or the deadline passes.</summary>
    public static bool IterateUntil(this IReactor reactor, Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
        while (!condition() && Stopwatch.GetTimestamp() < deadline)
        {
            reactor.Iterate(TimeSpan.FromMilliseconds(20));
        }

        return condition();
    }
}

/// <summary>Keeps a copy of every datagram and truncation.</summary>
internal sealed class RecordingSink : IDatagramSink
{
    public List<(byte[] Data, IPEndPoint Sender)> Datagrams { get; } = [];

    public List<IPEndPoint> Truncated { get; } = [];

    public Action? OnEach { get; set; }

    public void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        Datagrams.Add((datagram.ToArray(), sender));
        OnEach?.Invoke();
    }

    public void OnTruncated(IPEndPoint sender)
    {
        Truncated.Add(sender);
        OnEach?.Invoke();
    }
}

/// <summary>Counts datagrams and checks the sender instance never changes, allocating nothing itself.</summary>
internal sealed class CountingSink : IDatagramSink
{
    public int Count { get; set; }

    public long Bytes { get; private set; }

    public IPEndPoint? Sender { get; private set; }

    public bool SameSenderInstance { get; private set; } = true;

    public void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
        Count++;
        Bytes += datagram.Length;
        if (Sender is null)
        {
            Sender = sender;
        }
        else if (!ReferenceEquals(Sender, sender))
        {
            SameSenderInstance = false;
        }
    }

    public void OnTruncated(IPEndPoint sender) => throw new InvalidOperationException("No datagram here is truncated.");
}
