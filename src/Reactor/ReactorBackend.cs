namespace Reactor;

/// <summary>The I/O backends a reactor can run on.</summary>
public enum ReactorBackend
{
    /// <summary>The best one for this operating system: <see cref="Epoll"/> on Linux, <see cref="Portable"/> elsewhere.</summary>
    Auto,

    /// <summary>
    /// Linux only: non-blocking sockets multiplexed with <c>epoll</c> through P/Invoke, an <c>eventfd</c> to wake the loop,
    /// batched <c>recvmmsg</c>/<c>sendmmsg</c>. The fastest choice on Linux.
    /// </summary>
    Epoll,

    /// <summary>
    /// Any operating system: .NET's asynchronous socket APIs, with every completion dispatched on the reactor thread.
    /// </summary>
    Portable,
}
