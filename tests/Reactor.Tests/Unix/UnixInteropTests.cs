using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;

namespace Reactor.Tests.Unix;

/// <summary>socat as the peer over a UNIX path (and a Linux abstract name), both ways, on every backend.</summary>
[Trait("kind", "interop")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UnixInteropTests
{
    public static TheoryData<ReactorBackend> Backends => TestBackends.All;

    [RequiresProgramTheory("socat", "socat")]
    [MemberData(nameof(Backends))]
    public void Socat_connecting_to_a_Reactor_echo_server_gets_its_bytes_back_and_closes_cleanly(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket("echo.sock");
        using var reactor = TestBackends.Create(backend);
        var echo = new RecordingServerFactory { Configure = p => p.OnData = (q, data) => q.Transport!.Write(data) };
        reactor.ListenUnix(path, echo);

        using var socat = SampleProcess.Start("socat", ["-t", "2", "-T", "10", "-", $"UNIX-CONNECT:{path}"], standardInput: "ping from socat\n");

        reactor.RunUntil(() => socat.Stdout.Contains("ping from socat") && echo.Protocols.Count == 1 && echo.Protocols[0].Losses == 1);
        socat.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        echo.Protocols[0].LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
    }

    [RequiresProgramTheory("socat", "socat")]
    [MemberData(nameof(Backends))]
    public void A_Reactor_client_of_a_socat_echo_server_gets_its_bytes_back_after_half_closing(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket("socat.sock");
        using var socat = SampleProcess.Start("socat", ["-T", "10", $"UNIX-LISTEN:{path}", "EXEC:cat"]);
        ReactorRunner.WaitUntil(() => File.Exists(path), TimeSpan.FromSeconds(20)).Should().BeTrue("socat creates its socket file");
        using var reactor = TestBackends.Create(backend);
        var payload = new byte[256 * 1024];
        Random.Shared.NextBytes(payload);
        var client = new HalfClosingClient(payload);

        reactor.ConnectUnix(path, new RecordingClientFactory { Build = _ => client });

        reactor.RunUntil(() => client.Losses == 1, TimeSpan.FromSeconds(30));
        client.Received.Should().Equal(payload);
        client.LostReason!.Exception.Should().BeOfType<ConnectionDoneException>();
        socat.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
    }

    [RequiresProgramTheory("socat", "socat")]
    [MemberData(nameof(Backends))]
    public void Socat_reaches_a_Reactor_server_on_a_Linux_abstract_name(ReactorBackend backend)
    {
        var name = UnixTestKit.AbstractName();
        using var reactor = TestBackends.Create(backend);
        var echo = new RecordingServerFactory { Configure = p => p.OnData = (q, data) => q.Transport!.Write(data) };
        reactor.ListenUnix(name, echo);

        using var socat = SampleProcess.Start("socat", ["-t", "2", "-T", "10", "-", $"ABSTRACT-CONNECT:{name[1..]}"], standardInput: "abstract\n");

        reactor.RunUntil(() => socat.Stdout.Contains("abstract"));
        socat.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
    }

    /// <summary>Writes its payload, half-closes, and keeps what comes back.</summary>
    private sealed class HalfClosingClient(byte[] payload) : RecordingStreamProtocol, IHalfCloseableProtocol
    {
        public override void ConnectionMade()
        {
            base.ConnectionMade();
            Transport!.Write(payload);
            ((IUnixTransport)Transport).LoseWriteConnection();
        }

        public void ReadConnectionLost() => Transport!.LoseConnection();

        public void WriteConnectionLost()
        {
        }
    }
}
