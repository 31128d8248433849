using System.Net;
using System.Text;
using Reactor.Endpoints;
using Reactor.Testing;
using Reactor.Tests.Support;
using Reactor.Tests.Unix;
using static Reactor.Tests.Endpoints.EndpointTestKit;

namespace Reactor.Tests.Docs;

/// <summary>Sends everything back.</summary>
sealed class EchoBack : Protocol
{
    public override void DataReceived(ReadOnlySpan<byte> data) => Transport!.Write(data);
}

// <snippet asker>
/// <summary>Sends a question once connected and completes <see cref="Answer"/> with the first line that comes back.</summary>
sealed class Asker(string question) : Protocol
{
    private readonly StringBuilder _line = new();

    public TaskCompletionSource<string> Answer { get; } = new();

    public override void ConnectionMade() => Transport!.Write(Encoding.UTF8.GetBytes(question + "\n"));

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        _line.Append(Encoding.UTF8.GetString(data));
        if (_line.ToString().IndexOf('\n') is var end and >= 0)
        {
            Answer.TrySetResult(_line.ToString(0, end));
            Transport!.LoseConnection();
        }
    }
}
// </snippet>

/// <summary>docs/endpoints.md's examples, compiled and run.</summary>
[Collection(DocExamplesCollection.Name)]
public class EndpointsGuideExamples
{
    // <snippet serve-anywhere>
    /// <summary>Serves the echo protocol wherever <paramref name="where"/> says: "tcp:8000", "unix:/run/echo.sock", ….</summary>
    static async Task<IListeningPort> ServeAsync(IReactor reactor, string where)
    {
        IStreamServerEndpoint endpoint = Endpoint.ServerFromString(reactor, where);
        IListeningPort port = await endpoint.Listen(Factory.ForProtocol(() => new EchoBack()));
        Console.WriteLine($"echo on {port.GetHost()}");
        return port;
    }
    // </snippet>

    // <snippet connect-anywhere>
    /// <summary>Asks the server at <paramref name="where"/> a question: "tcp:localhost:8000", "hostname:example.com:8000", ….</summary>
    static async Task<string> AskAsync(IReactor reactor, string where, string question)
    {
        IStreamClientEndpoint endpoint = Endpoint.ClientFromString(reactor, where);
        Asker asker = await Endpoint.ConnectProtocol(endpoint, new Asker(question)); // after its ConnectionMade
        return await asker.Answer.Task;
    }
    // </snippet>

    [Fact]
    public void A_server_and_a_client_named_by_strings_talk_over_TCP_and_over_a_UNIX_socket()
    {
        using var console = new ConsoleCapture();
        using var directory = new SocketDirectory();
        var answers = new List<string>();
        var exit = ReactorFactory.React(async reactor =>
        {
            var tcp = (IPEndPoint)(await ServeAsync(reactor, "tcp:0:interface=127.0.0.1")).GetHost();
            answers.Add(await AskAsync(reactor, $"tcp:127.0.0.1:{tcp.Port}", "over TCP"));
            answers.Add(await AskAsync(reactor, $"hostname:localhost:{tcp.Port}:timeout=5", "happily"));
            if (OperatingSystem.IsLinux())
            {
                var path = Endpoint.QuoteStringArgument(directory.Socket("echo.sock"));
                await ServeAsync(reactor, $"unix:{path}:lockfile=0");
                answers.Add(await AskAsync(reactor, $"unix:{path}", "over UNIX"));
            }
        });

        exit.Should().Be(0, string.Join('\n', console.Lines));
        answers.Should().StartWith(["over TCP", "happily"]);
        console.Lines[0].Should().StartWith("echo on 127.0.0.1:");
    }

    [Fact]
    public async Task Every_attempt_of_a_failed_hostname_connect_is_reported()
    {
        using var console = new ConsoleCapture();
        var reactor = new MemoryReactor();
        var resolver = new FakeResolver();
        resolver.Add("dual.test", IPAddress.Parse("2001:db8::1"), IPAddress.Parse("192.0.2.1"));
        reactor.InstallResolver(resolver);

        var reporting = ConnectAndReportAsync(reactor);

        reactor.TcpClients[0].Connector.Fail(new ConnectionRefusedException(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443)));
        reactor.Clock.Advance(TimeSpan.FromSeconds(10));
        await reporting.WaitAsync(TimeSpan.FromSeconds(10)); // the await inside resumes once the Deferred has failed
        console.Lines.Should().Equal("[2001:db8::1]:443: ConnectionRefusedException", "192.0.2.1:443: ConnectTimeoutException");
    }

    // <snippet hostname>
    static async Task ConnectAndReportAsync(IReactor reactor)
    {
        var endpoint = new HostnameEndpoint(reactor, "dual.test", 443, timeout: TimeSpan.FromSeconds(10));
        try
        {
            Protocol protocol = await endpoint.Connect(Factory.ForProtocol(() => new Protocol()));
            Console.WriteLine($"connected to {protocol.Transport!.GetPeer()}");
        }
        catch (ConnectAttemptsFailedException all)
        {
            foreach (var attempt in all.Attempts)
            {
                Console.WriteLine($"{attempt.Destination}: {attempt.GetType().Name}");
            }
        }
    }
    // </snippet>

    [Fact]
    public void Cancelling_a_connect_gives_up_on_it()
    {
        var reactor = new MemoryReactor();
        var factory = Factory.ForProtocol(() => new Protocol());

        // <snippet cancel>
        var connecting = Endpoint.ClientFromString(reactor, "tcp:example.com:80").Connect(factory);
        reactor.CallLater(TimeSpan.FromSeconds(2), connecting.Cancel); // fails it with ConnectingCancelledException
        // </snippet>

        reactor.Clock.Advance(TimeSpan.FromSeconds(2));
        connecting.Called.Should().BeTrue();
        FailureOf(connecting).Should().BeOfType<ConnectingCancelledException>(); // consumed, so no unhandled-error log later
        reactor.RunPendingCalls();
        reactor.TcpClients[0].Connector.State.Should().Be(ConnectorState.Disconnected);
    }

    [Fact]
    public void A_kind_of_one_s_own_is_parsed_like_the_built_in_ones()
    {
        var reactor = new MemoryReactor();

        // <snippet custom-kind>
        // "loopback:8080" listens on 127.0.0.1 only, "loopback:8080:ipv6=1" on ::1.
        var parsers = new EndpointParsers();
        parsers.AddServerKind("loopback", ["port", "ipv6"], (reactor, arguments) =>
        {
            var port = arguments.GetInt32("port", defaultValue: null, min: 0, max: 65535);
            return arguments.GetBoolean("ipv6", defaultValue: false)
                ? new Tcp6ServerEndpoint(reactor, port, @interface: "::1")
                : new Tcp4ServerEndpoint(reactor, port, @interface: "127.0.0.1");
        });
        var endpoint = Endpoint.ServerFromString(reactor, "loopback:8080:ipv6=1", parsers);
        // </snippet>

        endpoint.Should().BeOfType<Tcp6ServerEndpoint>().Which.Interface.Should().Be("::1");
        FluentActions.Invoking(() => Endpoint.ServerFromString(reactor, "loopback:http", parsers))
            .Should().Throw<EndpointParseException>().Which.Message.Should().Be(
                "Bad endpoint description 'loopback:http': argument 'port' of kind 'loopback' must be a whole number from 0 to 65535, not 'http'.");
    }
}
