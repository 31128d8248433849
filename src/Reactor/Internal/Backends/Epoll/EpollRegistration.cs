using Reactor.Internal.Linux;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// One descriptor's registration with the reactor's epoll instance (mio's <c>IoSource</c>, libuv's <c>uv__io_t</c>):
/// the slot that routes its events to its handler, and the interest now registered. Every epoll socket — datagram,
/// stream, listening — keeps one, so the rules below are written once.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Level-triggered. <see cref="Watch"/> with neither reading nor writing removes the descriptor from epoll
/// altogether (rather than registering an empty interest): epoll always reports <c>EPOLLERR</c> and <c>EPOLLHUP</c>, and
/// a descriptor that nobody reads would report a hang-up on every wait, a busy loop.</item>
/// <item>Only changes reach the kernel: asking for what is already registered costs no system call.</item>
/// <item>A slot freed by one handler in a batch of events may be reused by a new registration in the same batch, which
/// can then see one event meant for the old descriptor; handlers tolerate that, since their reads and writes are
/// non-blocking (<see cref="EpollReactor"/>).</item>
/// <item><see cref="Dispose"/> unregisters; the owner closes the descriptor after it, never before (a closed descriptor
/// cannot be removed from epoll by number, and a new one may already have that number).</item>
/// </list>
/// Reactor thread only.
/// </remarks>
internal sealed class EpollRegistration : IDisposable
{
    private const int NotRegistered = -1;

    private readonly EpollReactor _reactor;
    private readonly IEpollHandler _handler;
    private readonly int _fd;
    private int _slot = NotRegistered;
    private uint _events;
    private bool _disposed;

    internal EpollRegistration(EpollReactor reactor, int fd, IEpollHandler handler)
    {
        _reactor = reactor;
        _fd = fd;
        _handler = handler;
    }

    /// <summary>Whether <c>EPOLLIN</c> is registered.</summary>
    internal bool Reading => (_events & Interop.EPOLLIN) != 0;

    /// <summary>Whether <c>EPOLLOUT</c> is registered.</summary>
    internal bool Writing => (_events & Interop.EPOLLOUT) != 0;

    /// <summary>Whether the descriptor is in the epoll set at all.</summary>
    internal bool Registered => _slot != NotRegistered;

    /// <summary>
    /// Registers interest in readability and/or writability (adding, modifying or removing the registration as needed).
    /// Throws <see cref="System.ComponentModel.Win32Exception"/> if epoll refuses (out of memory, or a descriptor epoll
    /// cannot watch).
    /// </summary>
    internal void Watch(bool reading, bool writing)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var wanted = (reading ? Interop.EPOLLIN : 0) | (writing ? Interop.EPOLLOUT : 0);
        if (wanted == _events)
        {
            return;
        }

        if (_slot == NotRegistered)
        {
            _slot = _reactor.Register(_fd, wanted, _handler);
        }
        else if (wanted == 0)
        {
            _reactor.Unregister(_fd, _slot);
            _slot = NotRegistered;
        }
        else
        {
            _reactor.Modify(_fd, _slot, wanted);
        }

        _events = wanted;
    }

    /// <summary>Removes the descriptor from epoll (idempotent); its handler hears nothing more, even for events already collected.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_slot != NotRegistered)
        {
            _reactor.Unregister(_fd, _slot);
            _slot = NotRegistered;
        }

        _events = 0;
    }

    public override string ToString() => $"EpollRegistration(fd {_fd}, slot {_slot}, events 0x{_events:x})";
}
