using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Reactor.Tests.Support;
using Xunit.Abstractions;

namespace Reactor.Tests.Samples;

/// <summary>samples/KeyValue as a program, driven by Redis's own clients (redis-tools), unmodified.</summary>
[Collection(SampleCollection.Name)]
public partial class KeyValueSampleTests(ITestOutputHelper output)
{
    [RequiresProgramFact("redis-cli", "redis-tools")]
    public void Redis_cli_sets_gets_counts_and_sees_a_key_expire()
    {
        using var server = SampleProcess.StartSample("KeyValue", "--port", "0");
        var port = StartedPort(server);

        Cli(port, "PING").Should().Equal("PONG");
        Cli(port, "SET", "greeting", "hello world").Should().Equal("OK");
        Cli(port, "GET", "greeting").Should().Equal("hello world");
        Cli(port, "GET", "missing").Should().Equal("");
        Cli(port, "ECHO", "echo me").Should().Equal("echo me");
        Cli(port, "INCR", "counter").Should().Equal("1");
        Cli(port, "INCRBY", "counter", "41").Should().Equal("42");
        Cli(port, "DECR", "counter").Should().Equal("41");
        Cli(port, "MSET", "a", "1", "b", "2").Should().Equal("OK");
        Cli(port, "MGET", "a", "b", "nope").Should().Equal("1", "2", "");
        Cli(port, "EXISTS", "a", "b", "nope", "a").Should().Equal("3");
        Cli(port, "KEYS", "[ab]").Should().BeEquivalentTo("a", "b");
        Cli(port, "DEL", "a", "nope").Should().Equal("1");
        Cli(port, "DBSIZE").Should().Equal(["3"], "greeting, counter and b are left");

        // Expiry on the server's reactor clock: the key is there, then (within a bounded wait) it is not.
        Cli(port, "SET", "brief", "v", "PX", "300").Should().Equal("OK");
        Cli(port, "SET", "long", "v", "EX", "100").Should().Equal("OK");
        Cli(port, "GET", "brief").Should().Equal("v");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (Cli(port, "GET", "brief") is ["v"] && DateTime.UtcNow < deadline)
        {
        }

        Cli(port, "GET", "brief").Should().Equal("");
        Cli(port, "EXISTS", "brief").Should().Equal("0");
        Cli(port, "GET", "long").Should().Equal("v");

        Cli(port, "FLUSHALL").Should().Equal("OK");
        Cli(port, "DBSIZE").Should().Equal("0");

        server.Terminate();
        server.WaitForExit(TimeSpan.FromSeconds(15)).Should().Be(0);
    }

    [RequiresProgramFact("redis-cli", "redis-tools")]
    public void Redis_cli_gets_redis_server_s_own_error_replies()
    {
        using var server = SampleProcess.StartSample("KeyValue", "--port", "0");
        var port = StartedPort(server);

        Cli(port, "foo", "a", "b").Should().Equal("ERR unknown command 'foo', with args beginning with: 'a' 'b' ", "");
        Cli(port, "GET").Should().Equal("ERR wrong number of arguments for 'get' command", "");
        Cli(port, "MSET", "a").Should().Equal("ERR wrong number of arguments for 'mset' command", "");
        Cli(port, "SET", "text", "abc").Should().Equal("OK");
        Cli(port, "INCR", "text").Should().Equal("ERR value is not an integer or out of range", "");
        Cli(port, "SET", "big", "9223372036854775807").Should().Equal("OK");
        Cli(port, "INCR", "big").Should().Equal("ERR increment or decrement would overflow", "");
        Cli(port, "SET", "k", "v", "EX", "zero").Should().Equal("ERR value is not an integer or out of range", "");
        Cli(port, "SET", "k", "v", "EX", "0").Should().Equal("ERR invalid expire time in 'set' command", "");
        Cli(port, "SET", "k", "v", "SOON").Should().Equal("ERR syntax error", "");
        Cli(port, "CONFIG", "GET", "appendonly").Should().Equal("appendonly", "no");
    }

    [RequiresProgramFact("redis-cli", "redis-tools")]
    public void Redis_cli_pipes_thousands_of_requests_in_one_stream_and_every_reply_comes_back_in_order()
    {
        using var server = SampleProcess.StartSample("KeyValue", "--port", "0");
        var port = StartedPort(server);

        // --pipe writes raw RESP as fast as it can and counts the replies (ending with an ECHO it checks).
        var requests = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            requests.Append(Resp("SET", $"key:{i}", $"value {i}")).Append(Resp("INCR", "hits"));
        }

        using var pipe = SampleProcess.Start("redis-cli", ["-p", P(port), "--pipe"], standardInput: requests.ToString());
        pipe.WaitForExit(TimeSpan.FromSeconds(60)).Should().Be(0);
        pipe.Stdout.Should().Contain("errors: 0, replies: 10000");

        Cli(port, "GET", "hits").Should().Equal("5000");
        Cli(port, "GET", "key:4999").Should().Equal("value 4999");

        // Inline commands, one per line on stdin, as a person would type them.
        using var typed = SampleProcess.Start("redis-cli", ["-p", P(port)], standardInput: "SET typed 1\nINCR typed\nGET typed\n");
        typed.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(0);
        typed.Stdout.Should().Equal("OK", "2", "2");
    }

    [RequiresProgramFact("redis-benchmark", "redis-tools")]
    public void Redis_benchmark_completes_every_test_it_runs_with_no_errors()
    {
        using var server = SampleProcess.StartSample("KeyValue", "--port", "0");
        var port = StartedPort(server);

        using var benchmark = SampleProcess.Start("redis-benchmark", ["-p", P(port), "-t", "ping,set,get,incr,mset", "-n", "20000", "-q"]);
        benchmark.WaitForExit(TimeSpan.FromSeconds(240)).Should().Be(0, string.Join('\n', benchmark.Stderr));

        // -q prints one "<test>: <n> requests per second" line per test, after carriage-return progress updates.
        var results = benchmark.Stdout.SelectMany(l => l.Split('\r')).Where(l => l.Contains("requests per second", StringComparison.Ordinal)).ToList();
        results.Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).Should().Equal("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)");
        benchmark.Stdout.Concat(benchmark.Stderr).Should().NotContain(l => l.Contains("ERR", StringComparison.Ordinal) || l.Contains("rror", StringComparison.Ordinal));
        output.WriteLine(string.Join('\n', results));
    }

    [Fact]
    public void A_protocol_error_gets_redis_s_reply_and_the_connection_is_closed()
    {
        using var server = SampleProcess.StartSample("KeyValue", "--port", "0");
        var port = StartedPort(server);
        foreach (var (request, reply) in new[]
        {
            ("*2\r\n$3\r\nGET\r\n@3\r\n", "-ERR Protocol error: expected '$', got '@'\r\n"),
            ("*2\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"),
            ("*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
            ("*2000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
        })
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(new IPEndPoint(IPAddress.Loopback, port));
            client.Send(Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n" + request));
            Encoding.ASCII.GetString(Tcp.TcpTestKit.ReadToEnd(client)).Should().Be("+PONG\r\n" + reply, "the reply ends with the close");
        }
    }

    [Fact]
    public void A_bad_option_prints_the_usage_and_exits_with_2()
    {
        using var server = SampleProcess.StartSample("KeyValue", "--bogus");
        server.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(2);
        server.Stderr.Should().Contain(l => l.Contains("usage: KeyValue", StringComparison.Ordinal));
    }

    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string Resp(params string[] args) =>
        $"*{args.Length}\r\n" + string.Concat(args.Select(a => $"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n"));

    /// <summary>
    /// Runs one redis-cli command (arguments passed as they are, no shell) and returns its output lines (without a
    /// terminal redis-cli prints an error reply followed by an empty line, as it does with redis-server).
    /// </summary>
    private static IReadOnlyList<string> Cli(int port, params string[] command)
    {
        using var cli = SampleProcess.Start("redis-cli", ["-p", P(port), .. command]);
        cli.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(0, string.Join('\n', cli.Stderr));
        return cli.Stdout;
    }

    private static int StartedPort(SampleProcess server)
    {
        var line = server.WaitForLine(l => l.Contains("starting on ", StringComparison.Ordinal));
        return int.Parse(StartedPattern().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"starting on (\d+)$")]
    private static partial Regex StartedPattern();
}
