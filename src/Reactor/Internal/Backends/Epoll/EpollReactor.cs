using System.ComponentModel;
using System.Runtime.InteropServices;
using Reactor.Internal.Linux;

namespace Reactor.Internal.Backends.Epoll;

/// <summary>
/// The Linux backend: one epoll instance, level-triggered, with an eventfd that other threads write to wake the loop.
/// Handlers are found through a slot table indexed by the epoll event's data, so dispatch allocates nothing.
/// </summary>
internal sealed unsafe class EpollReactor : ReactorBase
{
    private const int MaxEventsPerWait = 256;
    private const ulong WakeUpToken = ulong.MaxValue;

    private readonly int _epollFd;
    private readonly int _wakeUpFd;
    private readonly byte* _events;
    private readonly List<IEpollHandler?> _handlers = [];
    private readonly Stack<int> _freeSlots = new();

    internal EpollReactor(ReactorOptions options)
        : base(options, ReactorBackend.Epoll)
    {
        _epollFd = Interop.epoll_create1(Interop.EPOLL_CLOEXEC);
        if (_epollFd < 0)
        {
            throw new Win32Exception(Interop.LastError, "epoll_create1 failed");
        }

        _wakeUpFd = Interop.eventfd(0, Interop.EFD_CLOEXEC | Interop.EFD_NONBLOCK);
        if (_wakeUpFd < 0)
        {
            var errno = Interop.LastError;
            Interop.close(_epollFd);
            throw new Win32Exception(errno, "eventfd failed");
        }

        if (Interop.EpollControl(_epollFd, Interop.EPOLL_CTL_ADD, _wakeUpFd, Interop.EPOLLIN, WakeUpToken) != 0)
        {
            var errno = Interop.LastError;
            Interop.close(_wakeUpFd);
            Interop.close(_epollFd);
            throw new Win32Exception(errno, "epoll_ctl(eventfd) failed");
        }

        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEventsPerWait * Interop.EpollEventSize));
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/>; returns the registration's slot.</summary>
    internal int Register(int fd, uint events, IEpollHandler handler)
    {
        VerifyAccess();
        int slot;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
            _handlers[slot] = handler;
        }
        else
        {
            slot = _handlers.Count;
            _handlers.Add(handler);
        }

        if (Interop.EpollControl(_epollFd, Interop.EPOLL_CTL_ADD, fd, events, (ulong)slot) != 0)
        {
            var errno = Interop.LastError;
            _handlers[slot] = null;
            _freeSlots.Push(slot);
            throw new Win32Exception(errno, $"epoll_ctl(ADD, {fd}) failed");
        }

        return slot;
    }

    /// <summary>Changes the events watched for a registered descriptor.</summary>
    internal void Modify(int fd, int slot, uint events)
    {
        VerifyAccess();
        if (Interop.EpollControl(_epollFd, Interop.EPOLL_CTL_MOD, fd, events, (ulong)slot) != 0)
        {
            throw new Win32Exception(Interop.LastError, $"epoll_ctl(MOD, {fd}) failed");
        }
    }

    /// <summary>Stops watching a descriptor; its handler will not be called again, even for events already collected.</summary>
    internal void Unregister(int fd, int slot)
    {
        VerifyAccess();
        Interop.EpollControl(_epollFd, Interop.EPOLL_CTL_DEL, fd, 0, 0);
        _handlers[slot] = null;
        _freeSlots.Push(slot);
    }

    protected override void WaitForIo(int timeoutMilliseconds)
    {
        var count = Interop.epoll_wait(_epollFd, _events, MaxEventsPerWait, timeoutMilliseconds);
        if (count < 0)
        {
            var errno = Interop.LastError;
            if (errno == Errno.EINTR)
            {
                return;
            }

            throw new Win32Exception(errno, "epoll_wait failed");
        }

        for (var i = 0; i < count; i++)
        {
            var token = Interop.DataAt(_events, i);
            if (token == WakeUpToken)
            {
                DrainWakeUp();
                continue;
            }

            // A handler unregistered by an earlier handler in this batch has a null (or reused) slot; a reused slot
            // may see one spurious event, which handlers tolerate (their reads and writes are non-blocking).
            var handler = _handlers[(int)token];
            if (handler is null)
            {
                continue;
            }

            try
            {
                handler.OnEpollEvents(Interop.EventsAt(_events, i));
            }
            catch (Exception e)
            {
                LogCallbackError(handler.ToString() ?? handler.GetType().Name, e);
            }
        }
    }

    protected override ISocketFactory CreateSocketFactory() => new EpollSocketFactory(this);

    protected override void WakeUp()
    {
        ulong one = 1;
        Interop.write(_wakeUpFd, &one, sizeof(ulong));
    }

    protected override void ReleaseBackend()
    {
        Interop.close(_wakeUpFd);
        Interop.close(_epollFd);
        NativeMemory.Free(_events);
    }

    private void DrainWakeUp()
    {
        ulong value;
        Interop.read(_wakeUpFd, &value, sizeof(ulong));
        ClearWakeUpRequest();
    }
}
