using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>samples/Helloer as a program: connected UDP against a Twisted echo server, a closed port and a bad name.</summary>
[Collection(SampleCollection.Name)]
public class HelloerSampleTests
{
    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void Helloer_says_hello_to_a_Twisted_echo_server_and_prints_the_reply()
    {
        using var server = SampleProcess.Start(ExternalProgram.TwistedPython!, [EchoSampleTests.PeerScript("twisted_echo_server.py"), "127.0.0.1", "0"]);
        var started = server.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        var port = started["Echo starting on ".Length..];

        using var helloer = SampleProcess.StartSample("Helloer", "--host", "localhost", "--port", port, "--timeout", "3");
        helloer.WaitForLine(l => l.StartsWith("we", StringComparison.Ordinal)).Should().Be($"we can only send to 127.0.0.1:{port} now");
        helloer.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().Be($"received 'hello' from 127.0.0.1:{port}");
        helloer.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
        server.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().StartWith("received b'hello' from 127.0.0.1:");
    }

    [Fact]
    public void Helloer_says_no_one_is_listening_on_a_closed_port_and_exits_after_its_timeout()
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        using var helloer = SampleProcess.StartSample("Helloer", "--port", Text(closedPort), "--timeout", "2");
        helloer.WaitForLine(l => l.StartsWith("we", StringComparison.Ordinal)).Should().Be($"we can only send to 127.0.0.1:{closedPort} now");
        helloer.WaitForLine(l => l == "No one listening");
        helloer.WaitForExit(TimeSpan.FromSeconds(20)).Should().Be(0);
    }

    [RequiresNetworkNamespaceFact]
    public void An_unresolvable_host_prints_one_line_naming_it_on_stderr_and_exits_with_1()
    {
        // Run inside a new, empty network namespace so the failed lookup cannot send anything off this machine.
        var dll = SampleProcess.SampleDll("Helloer");
        using var helloer = SampleProcess.Start("unshare", ["-rn", "dotnet", dll, "--host", "no-such-host.invalid", "--timeout", "10"]);
        helloer.WaitForExit(TimeSpan.FromSeconds(60)).Should().Be(1);
        helloer.Stderr.Should().ContainSingle().Which.Should().Contain("'no-such-host.invalid'");
        helloer.Stdout.Should().BeEmpty();
    }
}
