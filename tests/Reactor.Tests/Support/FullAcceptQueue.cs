using System.Net;
using System.Net.Sockets;

namespace Reactor.Tests.Support;

/// <summary>
/// A loopback address where a connect hangs: a listener with a backlog of 0 that never accepts, its one queue slot taken.
/// Linux drops the SYN of a listener whose accept queue is full, so the next handshake never completes (Twisted's
/// "1.00 s on a full backlog"); use it on Linux only.
/// </summary>
public sealed class FullAcceptQueue : IDisposable
{
    private readonly Socket _listener;
    private readonly Socket _filler;

    public FullAcceptQueue(string loopback)
    {
        _listener = new Socket(IPAddress.Parse(loopback).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(Families.Loopback(loopback, 0));
        _listener.Listen(0);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _filler = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _filler.Connect(EndPoint);
    }

    /// <summary>Where a connect hangs.</summary>
    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _filler.Dispose();
        _listener.Dispose();
    }
}
