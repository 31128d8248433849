using Reactor.Internal.Linux;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>A file descriptor's owner, told what epoll reported for it. Called on the reactor thread.</summary>
internal interface IEpollHandler
{
    /// <summary>Handles the events epoll reported (<c>EPOLLIN</c>, <c>EPOLLOUT</c>, <c>EPOLLERR</c>, <c>EPOLLHUP</c>).</summary>
    void OnEpollEvents(uint events);
}
