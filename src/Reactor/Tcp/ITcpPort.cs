using System.Net;

namespace Reactor;

/// <summary>
/// A listening TCP port (Twisted's <c>tcp.Port</c>): what <see cref="IReactorTcp.ListenTcp"/> returns, an
/// <see cref="IListeningPort"/> whose address is an <see cref="IPEndPoint"/>. Reactor-thread-only.
/// </summary>
public interface ITcpPort : IListeningPort
{
    /// <summary>The local address the port is bound to, with the real port number when 0 was asked for.</summary>
    new IPEndPoint GetHost();
}
