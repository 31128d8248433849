using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;

namespace Reactor.Tests.Unix;

/// <summary>
/// Listening on UNIX sockets and connecting to them: paths, Linux abstract names, the socket file's mode, the lock file
/// (<c>wantPid</c>/<c>checkPid</c>), the stale socket file rule (D64), removal at stop, arguments, logs (twisted-tcp.md
/// §9 M: Twisted's <c>internet/test/test_unix.py</c> and <c>test/test_unix.py</c>), on every backend.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UnixListeningTests
{
    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_socket_file_gets_the_mode_asked_for_and_0666_by_default(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

        reactor.ListenUnix(directory.Socket("a.sock"), new RecordingServerFactory(), mode: mode);
        reactor.ListenUnix(directory.Socket("b.sock"), new RecordingServerFactory());

        File.GetUnixFileMode(directory.Socket("a.sock")).Should().Be(mode);
        File.GetUnixFileMode(directory.Socket("b.sock")).Should().Be((UnixFileMode)0x1B6, "0666, Twisted's default");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_Linux_abstract_name_is_listened_on_and_connected_to_without_a_file(ReactorBackend backend)
    {
        var name = UnixTestKit.AbstractName();
        var (reactor, port, server, client) = UnixTestKit.Pair(backend, name);
        using var _ = reactor;

        port.GetHost().ToString().Should().Be(name, ".NET shows an abstract name as @name");
        client.Unix().GetPeer().ToString().Should().Be(name);
        File.Exists(name).Should().BeFalse("an abstract name lives in no file system");
        client.Transport!.Write("over the abstract namespace"u8);
        reactor.RunUntil(() => server.Received.Length == 27);

        var nul = new RecordingStreamProtocol();
        reactor.ConnectUnix("\0" + name[1..], new RecordingClientFactory { Build = _ => nul });
        reactor.RunUntil(() => nul.Events.Contains("made"), TimeSpan.FromSeconds(10));
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Stopping_the_port_removes_the_socket_file_and_the_path_can_be_listened_on_again(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        var factory = new RecordingServerFactory();
        var port = reactor.ListenUnix(path, factory);
        File.Exists(path).Should().BeTrue();
        IUnixPort? again = null;

        port.StopListening().AddCallback(_ =>
        {
            File.Exists(path).Should().BeFalse("Twisted's Port.connectionLost unlinks the file");
            again = reactor.ListenUnix(path, factory);
        });

        reactor.RunUntil(() => again is not null);
        factory.Events.Should().Equal("startFactory", "stopFactory", "startFactory");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_port_logs_Twisted_s_start_and_close_lines_with_its_path(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var logs = new TestLoggerFactory();
        using var reactor = TestBackends.Create(backend, logs);
        var path = directory.Socket();
        var port = reactor.ListenUnix(path, new RecordingServerFactory());
        port.StopListening();
        reactor.RunUntil(() => logs.WithEventId(413).Any());

        logs.WithEventId(412).Should().ContainSingle().Which.Message.Should().Be($"RecordingServerFactory starting on '{path}'");
        logs.WithEventId(413).Should().ContainSingle().Which.Message.Should().Be($"(UNIX Port {path} Closed)");
        port.ToString().Should().Be("<RecordingServerFactory (not listening)>");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_second_listener_on_a_path_someone_answers_on_fails_with_address_in_use_and_leaves_the_file(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        reactor.ListenUnix(path, new RecordingServerFactory());

        var second = () => reactor.ListenUnix(path, new RecordingServerFactory());

        second.Should().Throw<CannotListenException>().Which.Should().Match<CannotListenException>(
            e => e.SocketErrorCode == SocketError.AddressAlreadyInUse && e.Interface == path && e.Port == 0 &&
                 e.Message == $"Couldn't listen on {path}: Address already in use.");
        var client = new RecordingStreamProtocol();
        reactor.ConnectUnix(path, new RecordingClientFactory { Build = _ => client });
        reactor.RunUntil(() => client.Events.Contains("made"));
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_socket_file_nobody_answers_on_is_removed_and_listened_on_again(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        UnixTestKit.LeaveStaleSocketFile(path);

        var port = reactor.ListenUnix(path, new RecordingServerFactory());

        var client = new RecordingStreamProtocol();
        reactor.ConnectUnix(path, new RecordingClientFactory { Build = _ => client });
        reactor.RunUntil(() => client.Events.Contains("made"));
        port.GetHost().ToString().Should().Be(path);
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_file_that_is_not_a_socket_is_never_removed(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        File.WriteAllText(path, "precious");

        var listen = () => reactor.ListenUnix(path, new RecordingServerFactory());

        listen.Should().Throw<CannotListenException>().Which.SocketErrorCode.Should().Be(SocketError.AddressAlreadyInUse);
        File.ReadAllText(path).Should().Be("precious");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void With_wantPid_the_lock_file_names_this_process_and_goes_when_the_port_stops(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        var port = reactor.ListenUnix(path, new RecordingServerFactory(), wantPid: true);

        new FileInfo(path + ".lock").LinkTarget.Should().Be(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var stopped = false;
        port.StopListening().AddCallback(_ => stopped = true);
        reactor.RunUntil(() => stopped);
        File.Exists(path).Should().BeFalse();
        new FileInfo(path + ".lock").LinkTarget.Should().BeNull("the lock is released");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_lock_held_by_a_live_process_refuses_a_second_listener(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        reactor.ListenUnix(path, new RecordingServerFactory(), wantPid: true);

        var second = () => reactor.ListenUnix(path, new RecordingServerFactory(), wantPid: true);

        // Twisted's test_socketLocking: the same process holds it, and it is alive.
        second.Should().Throw<CannotListenException>().Which.Message.Should().Be(
            $"Couldn't listen on {path}: Cannot acquire lock {path}.lock (held by process {Environment.ProcessId}).");
        File.Exists(path).Should().BeTrue("the first port's file is untouched");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_lock_left_by_a_dead_process_is_taken_over_and_its_stale_socket_file_removed(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        UnixTestKit.LeaveStaleSocketFile(path);
        File.CreateSymbolicLink(path + ".lock", DeadProcessId().ToString(System.Globalization.CultureInfo.InvariantCulture));

        reactor.ListenUnix(path, new RecordingServerFactory(), wantPid: true);

        new FileInfo(path + ".lock").LinkTarget.Should().Be(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var client = new RecordingStreamProtocol();
        reactor.ConnectUnix(path, new RecordingClientFactory { Build = _ => client }, checkPid: true);
        reactor.RunUntil(() => client.Events.Contains("made"));
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void CheckPid_refuses_a_server_whose_lock_is_missing_or_stale_before_connecting(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        reactor.ListenUnix(path, new RecordingServerFactory()); // no lock file
        var factory = new RecordingClientFactory();

        reactor.ConnectUnix(path, factory, checkPid: true);

        factory.Events.Should().Equal("startFactory", "started");
        reactor.RunUntil(() => factory.FailedReason is not null);
        factory.FailedReason!.Exception.Should().BeOfType<ConnectionRefusedException>();
        factory.Protocols.Should().BeEmpty();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Bad_paths_and_arguments_are_rejected_before_any_socket_exists(ReactorBackend backend)
    {
        using var reactor = TestBackends.Create(backend);
        var factory = new RecordingServerFactory();
        var client = new RecordingClientFactory();

        reactor.Invoking(r => r.ListenUnix("", factory)).Should().Throw<InvalidAddressException>();
        reactor.Invoking(r => r.ListenUnix("@", factory)).Should().Throw<InvalidAddressException>();
        reactor.Invoking(r => r.ListenUnix("/tmp/" + new string('x', 104), factory)).Should().Throw<InvalidAddressException>()
            .Which.Reason.Should().Contain("108 bytes");
        reactor.Invoking(r => r.ListenUnix("/tmp/a\0b", factory)).Should().Throw<InvalidAddressException>();
        reactor.Invoking(r => r.ListenUnix(null!, factory)).Should().Throw<ArgumentNullException>();
        reactor.Invoking(r => r.ListenUnix("/tmp/x.sock", null!)).Should().Throw<ArgumentNullException>();
        reactor.Invoking(r => r.ListenUnix("/tmp/x.sock", factory, backlog: 0)).Should().Throw<ArgumentOutOfRangeException>();
        reactor.Invoking(r => r.ConnectUnix("", client)).Should().Throw<InvalidAddressException>();
        reactor.Invoking(r => r.ConnectUnix("/tmp/x.sock", client, TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        factory.Events.Should().BeEmpty();
        client.Events.Should().BeEmpty();
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void The_connector_reconnects_from_ClientConnectionLost_and_names_its_destination(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        using var reactor = TestBackends.Create(backend);
        var path = directory.Socket();
        var server = new RecordingServerFactory { Configure = p => p.OnMade = q => q.Transport!.LoseConnection() };
        reactor.ListenUnix(path, server);
        var losses = 0;
        var factory = new RecordingClientFactory();
        factory.OnLost = (connector, _) =>
        {
            if (++losses < 3)
            {
                connector.Connect();
            }
        };

        var made = reactor.ConnectUnix(path, factory);

        made.GetDestination().ToString().Should().Be(path);
        reactor.RunUntil(() => losses == 3);
        server.Protocols.Should().HaveCount(3);
        factory.Events.Count(e => e == "startFactory").Should().Be(1, "one session while it keeps reconnecting");
        factory.Events[^1].Should().Be("stopFactory");
    }

    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Listening_after_the_reactor_shut_down_throws_ObjectDisposedException(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var reactor = TestBackends.Create(backend);
        reactor.CallWhenRunning(reactor.Stop);
        reactor.RunWithTimeout();

        reactor.Invoking(r => r.ListenUnix(directory.Socket(), new RecordingServerFactory())).Should().Throw<ObjectDisposedException>();
        reactor.Invoking(r => r.ConnectUnix(directory.Socket(), new RecordingClientFactory())).Should().Throw<ObjectDisposedException>();
        File.Exists(directory.Socket()).Should().BeFalse();
    }

    /// <summary>The id of a process that has exited (a short-lived child's).</summary>
    private static int DeadProcessId()
    {
        using var child = SampleProcess.Start("true", []);
        child.WaitForExit(TimeSpan.FromSeconds(10)).Should().Be(0);
        return child.Id;
    }
}
