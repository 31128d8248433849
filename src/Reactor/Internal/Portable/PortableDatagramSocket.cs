using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Portable;

/// <summary>The PortableReactor backend's datagram socket (being written: every member throws until then).</summary>
internal sealed class PortableDatagramSocket : IDatagramSocket
{
    internal PortableDatagramSocket(PortableReactor reactor, AddressFamily family)
    {
        _ = reactor;
        AddressFamily = family;
        throw new NotImplementedException();
    }

    public AddressFamily AddressFamily { get; }

    public bool Broadcast { get => throw new NotImplementedException(); set => throw new NotImplementedException(); }

    public SocketError Bind(IPEndPoint endpoint, bool reuse) => throw new NotImplementedException();

    public IPEndPoint GetLocalEndPoint() => throw new NotImplementedException();

    public SocketError Connect(IPEndPoint remote) => throw new NotImplementedException();

    public int Receive(IDatagramSink sink, int maxDatagrams, int maxBytes, out SocketError error) => throw new NotImplementedException();

    public SocketError Send(ReadOnlySpan<byte> datagram, IPEndPoint? destination) => throw new NotImplementedException();

    public void SetBufferSizes(int receiveBufferSize, int sendBufferSize) => throw new NotImplementedException();

    public void StartReading(IDatagramSocketHandler handler) => throw new NotImplementedException();

    public void StopReading() => throw new NotImplementedException();

    public void SetWantWritable(bool want) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
