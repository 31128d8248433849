using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>
/// Decision D41 as a newcomer meets it: tests/Programs/NoLoggerConfigured is the README's setup (no LoggerFactory) with a
/// protocol that throws, a timer that throws, a datagram longer than maxPacketSize and a lost Deferred failure. Each
/// must reach stderr, with its exception, as Twisted prints "Unhandled Error" with no setup.
/// </summary>
[Collection(SampleCollection.Name)]
public class NoLoggerConfiguredTests
{
    [Fact]
    public void A_program_with_no_logger_configured_prints_protocol_timer_drop_and_lost_Deferred_errors_to_stderr()
    {
        using var program = SampleProcess.StartProgram("NoLoggerConfigured");
        var listening = program.WaitForLine(l => l.StartsWith("listening on ", StringComparison.Ordinal));
        var target = new IPEndPoint(IPAddress.Loopback, int.Parse(listening["listening on ".Length..], CultureInfo.InvariantCulture));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        void Send(string text) => client.SendTo(Encoding.ASCII.GetBytes(text), target);

        Send("boom");
        program.WaitForLine(l => l == "got boom");
        Send(new string('x', 100));
        Send("timer");
        program.WaitForLine(l => l == "timer firing");
        Send("lose");
        program.WaitForLine(l => l == "collected");
        Send("stop");
        program.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(0);
        program.Stdout.Should().NotContain(l => l.Contains("Unhandled", StringComparison.Ordinal), "logging goes to stderr, never stdout");

        var stderr = string.Join('\n', program.Stderr);
        stderr.Should().MatchRegex(@"Z \[Reactor\.Udp\] error 204 ProtocolCallbackFailed: Unhandled Error in Faulty \(UDP\) DatagramReceived\n\tSystem\.InvalidOperationException: the protocol failed\n\t   at ");
        stderr.Should().MatchRegex(@"Z \[Reactor\.Udp\] warning 205 TruncatedDatagramDropped: Dropped a datagram from 127\.0\.0\.1:\d+ on UDP port \d+: longer than maxPacketSize 64");
        stderr.Should().MatchRegex(@"Z \[Reactor\] error 1 TimedCallFailed: Unhandled Error while handling timed call\n\tSystem\.InvalidOperationException: the timer failed");
        stderr.Should().MatchRegex(@"Z \[Reactor\] critical 100 UnhandledErrorInDeferred: Unhandled error in Deferred:\n\tSystem\.InvalidOperationException: nobody handled this failure");
        stderr.Should().NotContain("starting on", "information messages are not written by default");
    }
}
