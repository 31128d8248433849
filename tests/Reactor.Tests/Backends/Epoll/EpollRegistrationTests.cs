using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Linux;
using Reactor.Tests.Support;

namespace Reactor.Tests.Backends.Epoll;

/// <summary>The one epoll registration every epoll socket keeps: interest changes, removal when nothing is wanted, dispose rules.</summary>
public sealed unsafe class EpollRegistrationTests : IDisposable
{
    private readonly EpollReactor? _reactor;
    private readonly int _fd = -1;

    public EpollRegistrationTests()
    {
        if (OperatingSystem.IsLinux())
        {
            _reactor = (EpollReactor)ReactorFactory.Create(new ReactorOptions { Backend = ReactorBackend.Epoll });
            _fd = Interop.eventfd(0, Interop.EFD_NONBLOCK | Interop.EFD_CLOEXEC);
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            Interop.close(_fd);
        }

        _reactor?.Dispose();
    }

    [LinuxFact]
    public void A_readable_descriptor_reaches_its_handler_while_watched_and_not_after_the_watch_is_dropped()
    {
        var handler = new Recorder();
        using var registration = new EpollRegistration(_reactor!, _fd, handler);
        registration.Watch(reading: true, writing: false);
        registration.Registered.Should().BeTrue();
        registration.Reading.Should().BeTrue();
        MakeReadable();

        _reactor!.Iterate(TimeSpan.Zero);
        handler.Events.Should().ContainSingle().Which.Should().Be(Interop.EPOLLIN);

        registration.Watch(reading: false, writing: false);
        registration.Registered.Should().BeFalse("nothing wanted means out of the epoll set, so a hang-up cannot spin the loop");
        _reactor.Iterate(TimeSpan.Zero);
        handler.Events.Should().ContainSingle();
    }

    [LinuxFact]
    public void Writing_interest_is_added_and_removed_without_losing_reading()
    {
        var handler = new Recorder();
        using var registration = new EpollRegistration(_reactor!, _fd, handler);
        registration.Watch(reading: true, writing: true);
        registration.Writing.Should().BeTrue();

        // An eventfd with room is always writable.
        _reactor!.Iterate(TimeSpan.Zero);
        handler.Events.Should().ContainSingle().Which.Should().Be(Interop.EPOLLOUT);

        registration.Watch(reading: true, writing: false);
        registration.Writing.Should().BeFalse();
        registration.Reading.Should().BeTrue();
        _reactor.Iterate(TimeSpan.Zero);
        handler.Events.Should().ContainSingle("the descriptor is not readable and writes are no longer watched");
    }

    [LinuxFact]
    public void Dispose_unregisters_once_and_a_disposed_registration_cannot_watch_again()
    {
        var handler = new Recorder();
        var registration = new EpollRegistration(_reactor!, _fd, handler);
        registration.Watch(reading: true, writing: false);
        MakeReadable();

        registration.Dispose();
        registration.Dispose();
        _reactor!.Iterate(TimeSpan.Zero);

        handler.Events.Should().BeEmpty();
        registration.Registered.Should().BeFalse();
        registration.Invoking(r => r.Watch(reading: true, writing: false)).Should().Throw<ObjectDisposedException>();
    }

    private void MakeReadable()
    {
        ulong one = 1;
        Interop.write(_fd, &one, sizeof(ulong)).Should().Be(sizeof(ulong));
    }

    private sealed class Recorder : IEpollHandler
    {
        public List<uint> Events { get; } = [];

        public void OnEpollEvents(uint events) => Events.Add(events);
    }
}
