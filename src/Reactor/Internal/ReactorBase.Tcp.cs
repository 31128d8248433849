using System.Net;
using Reactor.Internal.Streams;
using Reactor.Internal.Tcp;

namespace Reactor.Internal;

/// <summary>TCP entry points and the reactor's shared stream state; the transports themselves are in <c>Internal/Streams/</c> and <c>Internal/Tcp/</c>.</summary>
internal abstract partial class ReactorBase
{
    private StreamLoop? _streams;

    /// <summary>What this reactor's stream transports share (receive buffer, write blocks, dispatch), made on first use.</summary>
    internal StreamLoop Streams => _streams ??= new StreamLoop(this);

    public ITcpPort ListenTcp(int port, Factory factory, int backlog = 50, string @interface = "")
    {
        VerifyCanOpen();
        return TcpPort.Listen(this, port, factory, backlog, @interface);
    }

    public IConnector ConnectTcp(string host, int port, ClientFactory factory, TimeSpan? timeout = null, IPEndPoint? bindAddress = null)
    {
        VerifyCanOpen();
        return TcpConnector.Connect(this, host, port, factory, timeout, bindAddress);
    }
}
