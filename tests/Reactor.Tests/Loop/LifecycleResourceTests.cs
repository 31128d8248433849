using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Reactor.Testing;
using Reactor.Tests.Loop;
using Reactor.Tests.Support;

namespace Reactor.Tests.Loop;

/// <summary>
/// Issue 7, "lifecycle and resources": cycles leave no descriptor behind, Stop() leaves nothing hanging, running out of
/// descriptors is a <see cref="CannotListenException"/>, and CallFromThread during shutdown loses nothing silently.
/// These count /proc/self/fd or change the process's descriptor limit, so nothing else may run meanwhile.
/// </summary>
[Collection(DescriptorCountingCollection.Name)]
[Trait("kind", "resources")]
public class LifecycleResourceTests
{
    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>
    /// Asserts the descriptor count is back to <paramref name="before"/> (a small tolerance for the runtime's own), giving
    /// stragglers a bounded moment to close.
    /// </summary>
    private static void NoDescriptorLeftBehind(int before, string because)
    {
        SpinWait.SpinUntil(() => OpenDescriptors() <= before + 2, TimeSpan.FromSeconds(5));
        OpenDescriptors().Should().BeLessThanOrEqualTo(before + 2, because);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Ten_thousand_ListenUdp_StopListening_cycles_in_one_run_leave_no_descriptor_behind(ReactorBackend backend)
    {
        const int Cycles = 10_000;
        var reactor = TestBackends.Create(backend);
        var protocol = new RecordingProtocol();
        var completed = 0;
        var before = 0;
        Exception? failure = null;

        // Each cycle starts from the previous StopListening's Deferred, which fires on a later iteration: the chain is
        // bounded by the count and never recurses.
        void Cycle()
        {
            try
            {
                if (completed == Cycles)
                {
                    reactor.Stop();
                    return;
                }

                var port = reactor.ListenUdp(0, protocol, "127.0.0.1");
                port.StopListening().AddCallback(_ =>
                {
                    completed++;
                    Cycle();
                });
            }
            catch (Exception e)
            {
                failure = e;
                reactor.Stop();
            }
        }

        // Warm up once so lazily created runtime descriptors (the portable backend's socket engine) are not counted.
        reactor.CallWhenRunning(() =>
        {
            var warmUp = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
            warmUp.Write([1], new IPEndPoint(IPAddress.Loopback, warmUp.GetHost().Port));
            warmUp.StopListening().AddCallback(_ =>
            {
                before = OpenDescriptors();
                Cycle();
            });
        });
        reactor.RunWithTimeout(TimeSpan.FromSeconds(120));
        failure.Should().BeNull();
        completed.Should().Be(Cycles);
        protocol.Starts.Should().Be(Cycles);
        protocol.Stops.Should().Be(Cycles);
        NoDescriptorLeftBehind(before, "every closed port must have closed its socket");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_thousand_reactor_create_run_stop_cycles_leave_no_descriptor_behind(ReactorBackend backend)
    {
        const int Cycles = 1_000;
        var warmUp = TestBackends.Create(backend);
        warmUp.CallWhenRunning(() =>
        {
            warmUp.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
            warmUp.Stop();
        });
        warmUp.RunWithTimeout();
        var before = OpenDescriptors();
        for (var i = 0; i < Cycles; i++)
        {
            var reactor = TestBackends.Create(backend);
            reactor.CallWhenRunning(() =>
            {
                // A port left open: shutdown must close it too.
                reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
                reactor.Stop();
            });
            reactor.RunWithTimeout();
        }

        NoDescriptorLeftBehind(before, "each run must close its backend and the ports shutdown closed");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stop_with_callbacks_queued_writes_pending_resolves_and_timers_outstanding_fires_or_fails_everything_and_returns(ReactorBackend backend)
    {
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        var fakes = new FakeSockets();
        reactor.Internal().Sockets = fakes;
        var sockets = fakes.Datagram;
        var resolver = new FakeResolver { HoldLookups = true };
        resolver.Add("held.example.test", IPAddress.Loopback);
        reactor.InstallResolver(resolver);

        var writer = new RecordingProtocol();
        var stopping = new RecordingProtocol();
        var idle = new RecordingProtocol();
        Deferred<object?>? stopListening = null;
        Failure? lookupFailure = null;
        var lookupSucceeded = false;
        var queuedCallRan = false;
        var laterCallRan = false;
        var farTimerRan = false;
        IDelayedCall? farTimer = null;
        reactor.CallWhenRunning(() =>
        {
            var writerPort = reactor.ListenUdp(0, writer, "127.0.0.1");
            sockets[0].NextSendResults(SocketError.WouldBlock, SocketError.WouldBlock, SocketError.WouldBlock);
            for (var i = 0; i < 3; i++)
            {
                writerPort.Write([(byte)i], new IPEndPoint(IPAddress.Loopback, 9));
            }

            reactor.ListenUdp(0, idle, "127.0.0.1");
            stopListening = reactor.ListenUdp(0, stopping, "127.0.0.1").StopListening();
            reactor.Resolve("held.example.test").AddCallbacks(
                address =>
                {
                    lookupSucceeded = true;
                    return address;
                },
                failure =>
                {
                    lookupFailure = failure;
                    return IPAddress.None;
                });
            farTimer = reactor.CallLater(TimeSpan.FromHours(1), () => farTimerRan = true);
            reactor.CallFromThread(() => queuedCallRan = true);
            reactor.CallLater(TimeSpan.Zero, () => laterCallRan = true);
            reactor.Stop();
        });
        reactor.RunWithTimeout();

        writer.Events.Should().Contain("pause", "the writes were really queued when Stop was called");
        resolver.PendingLookups.Should().Be(1, "the lookup was still held by the resolver at shutdown");
        lookupSucceeded.Should().BeFalse();
        lookupFailure.Should().NotBeNull("a pending resolve fails at shutdown").And.Subject.As<Failure>().Check<CancelledException>().Should().BeTrue();
        stopListening!.Called.Should().BeTrue("a pending StopListening fires at shutdown");
        sockets.Should().HaveCount(3).And.OnlyContain(s => s.Disposed, "every port closes at shutdown");
        new[] { writer, stopping, idle }.Should().OnlyContain(p => p.Stops == 1);
        queuedCallRan.Should().BeTrue("a call queued before Stop runs before shutdown completes");
        laterCallRan.Should().BeTrue("a due timer runs before shutdown completes");
        farTimerRan.Should().BeFalse();
        farTimer!.Active.Should().BeTrue("a timer not yet due simply never runs; it is not fired early");
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Disposing_a_reactor_that_never_ran_closes_its_open_ports_and_stops_their_protocols(ReactorBackend backend)
    {
        var reactor = TestBackends.Create(backend);
        var fakes = new FakeSockets();
        reactor.Internal().Sockets = fakes;
        var protocol = new RecordingProtocol();
        reactor.ListenUdp(0, protocol, "127.0.0.1");
        reactor.Internal().OpenResourceCount.Should().Be(1);

        reactor.Dispose();

        fakes.Datagram.Should().ContainSingle().Which.Disposed.Should().BeTrue("no socket may outlive its reactor");
        protocol.Stops.Should().Be(1);
        reactor.Internal().OpenResourceCount.Should().Be(0);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Running_out_of_file_descriptors_while_listening_is_a_CannotListen_and_the_reactor_recovers(ReactorBackend backend)
    {
        const int MaxPorts = 10_000;
        var reactor = TestBackends.Create(backend);
        var ports = new List<IUdpTransport>();
        CannotListenException? refused = null;
        Exception? unexpected = null;
        var limitLowered = false;
        var echoedAfterwards = false;
        reactor.CallWhenRunning(() =>
        {
            // Warm up so the backend's lazily created descriptors exist before the limit is lowered.
            var warmUp = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
            warmUp.Write([1], new IPEndPoint(IPAddress.Loopback, warmUp.GetHost().Port));
            GetRLimit(out var original).Should().Be(0);
            try
            {
                var lowered = original with { Current = (ulong)OpenDescriptors() + 3 };
                limitLowered = SetRLimit(lowered) == 0;
                for (var i = 0; i < MaxPorts && refused is null; i++)
                {
                    try
                    {
                        ports.Add(reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1"));
                    }
                    catch (CannotListenException e)
                    {
                        refused = e;
                    }
                }
            }
            catch (Exception e)
            {
                unexpected = e;
            }
            finally
            {
                SetRLimit(original);
            }

            // With the limit restored, the same reactor listens and round-trips again.
            var echo = new RecordingProtocol();
            echo.OnDatagram = (_, _, _) =>
            {
                echoedAfterwards = true;
                reactor.Stop();
            };
            var server = reactor.ListenUdp(0, echo, "127.0.0.1");
            warmUp.Write([2], new IPEndPoint(IPAddress.Loopback, server.GetHost().Port));
        });
        reactor.RunWithTimeout();

        limitLowered.Should().BeTrue();
        unexpected.Should().BeNull();
        refused.Should().NotBeNull("listening past the descriptor limit must be refused, not crash");
        refused!.SocketErrorCode.Should().Be(SocketError.TooManyOpenSockets);
        ports.Count.Should().BeLessThan(MaxPorts);
        echoedAfterwards.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CallFromThread_from_eight_threads_while_the_reactor_stops_runs_each_accepted_call_once_and_logs_every_drop(ReactorBackend backend)
    {
        const int Threads = 8;
        const int CallsPerThread = 20_000;
        var logs = new TestLoggerFactory();
        var reactor = TestBackends.Create(backend, logs);
        var ran = 0;
        var ranAfterReturn = 0;
        var runReturned = 0;
        var ranTwice = 0;
        var ranFlags = new int[Threads * CallsPerThread];
        using var start = new ManualResetEventSlim();
        var callers = new Thread[Threads];
        for (var t = 0; t < Threads; t++)
        {
            var thread = t;
            callers[t] = new Thread(() =>
            {
                start.Wait(TimeSpan.FromSeconds(10));
                for (var i = 0; i < CallsPerThread; i++)
                {
                    var id = (thread * CallsPerThread) + i;
                    reactor.CallFromThread(() =>
                    {
                        if (Volatile.Read(ref runReturned) != 0)
                        {
                            Interlocked.Increment(ref ranAfterReturn);
                        }

                        if (Interlocked.Exchange(ref ranFlags[id], 1) != 0)
                        {
                            Interlocked.Increment(ref ranTwice);
                        }

                        if (Interlocked.Increment(ref ran) == 1_000)
                        {
                            // Stop while the callers are still well under way, so shutdown happens as calls keep arriving.
                            reactor.Stop();
                        }
                    });
                }
            })
            {
                IsBackground = true,
                Name = $"CallFromThread caller {t}",
            };
            callers[t].Start();
        }

        reactor.CallWhenRunning(start.Set);
        reactor.RunWithTimeout();
        Volatile.Write(ref runReturned, 1);
        foreach (var caller in callers)
        {
            caller.Join(TimeSpan.FromSeconds(30)).Should().BeTrue("every caller finishes its bounded loop");
        }

        var dropped = logs.WithEventId(5).Count();
        ranAfterReturn.Should().Be(0, "no call runs after Run() returned");
        ranTwice.Should().Be(0);
        (ran + dropped).Should().Be(Threads * CallsPerThread, "every call either ran once or was logged as dropped");
        ran.Should().BeGreaterThan(0);
        dropped.Should().BeGreaterThan(0, "calls kept arriving after shutdown");
    }

    /// <summary><c>struct rlimit</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    private const int RLIMIT_NOFILE = 7;

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, in RLimit limit);

    private static int GetRLimit(out RLimit limit) => GetRLimit(RLIMIT_NOFILE, out limit);

    private static int SetRLimit(RLimit limit) => SetRLimit(RLIMIT_NOFILE, limit);
}
