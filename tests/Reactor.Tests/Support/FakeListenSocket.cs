using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Streams;

namespace Reactor.Tests.Support;

/// <summary>
/// A scripted listening socket (Twisted's <c>test_tcp_internals</c> fakes): tests queue what each accept returns —
/// a connection or an error — raise readiness by hand, and read what the port did.
/// </summary>
internal sealed class FakeListenSocket(AddressFamily family) : IListenSocket
{
    private readonly Queue<Func<(SocketError Error, IStreamSocket? Socket, EndPoint? Peer)>> _accepts = new();

    public AddressFamily AddressFamily { get; } = family;

    public EndPoint? BoundTo { get; private set; }

    public int Backlog { get; private set; }

    public SocketError BindResult { get; set; }

    public SocketError ListenResult { get; set; }

    public IListenSocketHandler? Handler { get; private set; }

    public bool Accepting { get; private set; }

    public int AcceptCalls { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>What <see cref="ShedPending"/> returns (-1: no reserve).</summary>
    public int ShedResult { get; set; } = -1;

    public int ShedCalls { get; private set; }

    /// <summary>Queues <paramref name="count"/> incoming connections, each a fake socket from 127.0.0.1:<c>40000+i</c>.</summary>
    public List<FakeStreamSocketStub> QueueConnections(int count)
    {
        var sockets = new List<FakeStreamSocketStub>();
        for (var i = 0; i < count; i++)
        {
            var socket = new FakeStreamSocketStub(AddressFamily);
            sockets.Add(socket);
            var peer = new IPEndPoint(IPAddress.Loopback, 40_000 + i);
            _accepts.Enqueue(() => (SocketError.Success, socket, peer));
        }

        return sockets;
    }

    /// <summary>Queues an accept that fails with <paramref name="error"/>.</summary>
    public void QueueError(SocketError error) => _accepts.Enqueue(() => (error, null, null));

    public void RaiseAcceptable() => Handler!.OnAcceptable();

    public SocketError Bind(EndPoint local, bool reusePort = false)
    {
        BoundTo = local;
        return BindResult;
    }

    public SocketError Listen(int backlog)
    {
        Backlog = backlog;
        return ListenResult;
    }

    public EndPoint GetLocalEndPoint()
    {
        var bound = (IPEndPoint)BoundTo!;
        return new IPEndPoint(bound.Address, bound.Port == 0 ? 45_678 : bound.Port);
    }

    public SocketError Accept(out IStreamSocket? socket, out EndPoint? peer)
    {
        AcceptCalls++;
        if (!_accepts.TryDequeue(out var next))
        {
            socket = null;
            peer = null;
            return SocketError.WouldBlock;
        }

        var (error, s, p) = next();
        socket = s;
        peer = p;
        return error;
    }

    public int ShedPending()
    {
        ShedCalls++;
        return ShedResult;
    }

    public void Watch(IListenSocketHandler handler, bool accepting)
    {
        Handler = handler;
        Accepting = accepting;
    }

    public void Dispose() => Disposed = true;
}

/// <summary>The smallest stream socket: accepted connections in listener tests, recording how it was closed.</summary>
internal sealed class FakeStreamSocketStub(AddressFamily family) : IStreamSocket
{
    public AddressFamily AddressFamily { get; } = family;

    public bool Disposed { get; private set; }

    public bool Aborted { get; private set; }

    public bool NoDelay { get; set; }

    public bool KeepAlive { get; set; }

    public bool Reading { get; private set; }

    public bool Writing { get; private set; }

    public SocketError Bind(EndPoint local) => SocketError.Success;

    public SocketError Connect(EndPoint remote) => SocketError.Success;

    public SocketError ConnectResult() => SocketError.Success;

    public EndPoint GetLocalEndPoint() => new IPEndPoint(IPAddress.Loopback, 45_678);

    public EndPoint GetRemoteEndPoint() => new IPEndPoint(IPAddress.Loopback, 40_000);

    public int Receive(Span<byte> buffer, out SocketError error)
    {
        error = SocketError.WouldBlock;
        return 0;
    }

    public int Send(ReadOnlySpan<byte> data, out SocketError error)
    {
        error = SocketError.Success;
        return data.Length;
    }

    public int Send(ReadOnlySpan<ArraySegment<byte>> segments, out SocketError error)
    {
        error = SocketError.Success;
        var total = 0;
        foreach (var segment in segments)
        {
            total += segment.Count;
        }

        return total;
    }

    public SocketError Shutdown(SocketShutdown how) => SocketError.Success;

    public void Abort()
    {
        Aborted = true;
        Disposed = true;
    }

    public void Watch(IStreamSocketHandler handler, bool reading, bool writing)
    {
        Reading = reading;
        Writing = writing;
    }

    public void Dispose() => Disposed = true;
}
