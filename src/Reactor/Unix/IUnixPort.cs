using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// A listening UNIX stream socket (Twisted's <c>unix.Port</c>): what <see cref="IReactorUnix.ListenUnix"/> returns, an
/// <see cref="IListeningPort"/> whose address is a path. Reactor-thread-only.
/// </summary>
public interface IUnixPort : IListeningPort
{
    /// <summary>The path the port listens on (a Linux abstract name shows as <c>@name</c>).</summary>
    new UnixDomainSocketEndPoint GetHost();
}
