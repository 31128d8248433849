using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>
/// The four multicast samples as programs, run together inside a private network namespace that each test creates
/// (<c>unshare -rn</c>, loopback with the 224.0.0.0/4 route, a veth pair for IPv6): they use their real default ports and
/// groups there, and nothing they send can reach the machine's real interfaces.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class MulticastSampleTests : IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(240);

    private static readonly string[] ThreeDatagramsFrom127 = ThreeDatagrams("127.0.0.1");

    private readonly NamespaceShell _shell = new();

    public void Dispose() => _shell.Dispose();

    private static string[] ThreeDatagrams(string from) =>
        [.. Enumerable.Repeat<string[]>(["We got data!", $"FROM: {from}:1501", "DATA: Hello World"], 3).SelectMany(l => l)];

    /// <summary>Runs the server in the background, the client once it listens, then stops the server with SIGTERM.</summary>
    private void ServerAndClient(string[] options, bool withVeth)
    {
        var script = $"""
            {NamespaceShell.Sample("MulticastServer", options)} > "$out/server.out" 2> "$out/server.err" &
            server=$!
            wait_for "$out/server.out" 'Started Listening'
            {NamespaceShell.Sample("MulticastClient", [.. options, "--timeout", "1.5"])} > "$out/client.out" 2> "$out/client.err"
            echo "client $?" >> "$out/exits"
            wait_for "$out/server.out" 'Server Received'
            kill -TERM $server
            wait $server
            echo "server $?" >> "$out/exits"
            """;
        _shell.Run(script, withVeth, ScriptTimeout).Should().Be(0, _shell.Describe());

        _shell.Lines("exits").Should().Equal(["client 0", "server 0"], _shell.Describe());
        _shell.Lines("client.out").Should().Equal(["Received: 'data'"], _shell.Describe());
        _shell.Lines("server.out").Should().Equal(["Started Listening", "Server Received: 'UniqueID'"], _shell.Describe());
        _shell.Lines("client.err").Should().BeEmpty();
        _shell.Lines("server.err").Should().BeEmpty();
    }

    /// <summary>
    /// Starts two receivers sharing port 1600 (joined on <paramref name="firstInterface"/> and <paramref name="secondInterface"/>),
    /// waits until the kernel counts both as members, sends three datagrams, and stops the receivers once both printed them.
    /// </summary>
    private void SenderAndTwoReceivers(string[] groupOptions, string firstInterface, string secondInterface, string senderInterface, string membershipFile, string groupHex, bool withVeth)
    {
        var script = $"""
            {NamespaceShell.Sample("MulticastReceiver", groupOptions)} --interface {firstInterface} > "$out/first.out" 2> "$out/first.err" &
            first=$!
            {NamespaceShell.Sample("MulticastReceiver", groupOptions)} --interface {secondInterface} > "$out/second.out" 2> "$out/second.err" &
            second=$!
            wait_members {membershipFile} {groupHex} 2
            {NamespaceShell.Sample("MulticastSender", [.. groupOptions, "--interval", "0.2", "--count", "3", "--interface", senderInterface])} > "$out/sender.out" 2> "$out/sender.err"
            echo "sender $?" >> "$out/exits"
            wait_for "$out/first.out" 'DATA:' 3
            wait_for "$out/second.out" 'DATA:' 3
            kill -TERM $first $second
            wait $first
            echo "first $?" >> "$out/exits"
            wait $second
            echo "second $?" >> "$out/exits"
            """;
        _shell.Run(script, withVeth, ScriptTimeout).Should().Be(0, _shell.Describe());

        _shell.Lines("exits").Should().Equal(["sender 0", "first 0", "second 0"], _shell.Describe());
        _shell.Lines("sender.out").Should().BeEmpty();
        _shell.Lines("sender.err").Should().BeEmpty();
        _shell.Lines("first.err").Should().BeEmpty();
        _shell.Lines("second.err").Should().BeEmpty();
    }

    [RequiresNetworkNamespaceFact]
    public void MulticastServer_answers_MulticastClient_on_the_seeds_group_and_port()
    {
        // No --interface: the kernel picks lo by the namespace's 224.0.0.0/4 route, as it would pick eth0 on a host.
        ServerAndClient([], withVeth: false);
    }

    [RequiresNetworkNamespaceFact]
    public void MulticastServer_answers_MulticastClient_over_an_IPv6_group_on_a_named_interface()
    {
        ServerAndClient(["--group", "ff05::1:3", "--interface", "v0"], withVeth: true);
    }

    [RequiresNetworkNamespaceFact]
    public void Two_MulticastReceivers_sharing_port_1600_both_get_every_datagram_of_MulticastSender()
    {
        // 224.168.2.9 in /proc/net/igmp's byte order.
        SenderAndTwoReceivers([], "lo", "127.0.0.1", "127.0.0.1", "/proc/net/igmp", "0902A8E0", withVeth: false);

        _shell.Lines("first.out").Should().Equal(ThreeDatagramsFrom127, _shell.Describe());
        _shell.Lines("second.out").Should().Equal(ThreeDatagramsFrom127, _shell.Describe());
    }

    [RequiresNetworkNamespaceFact]
    public void Two_MulticastReceivers_joined_by_interface_name_and_index_both_get_an_IPv6_groups_datagrams()
    {
        SenderAndTwoReceivers(
            ["--group", "ff05::1:3"], "v0", "\"$(ip -o link show v0 | cut -d: -f1)\"", "v0", "/proc/net/igmp6", "ff050000000000000000000000010003", withVeth: true);

        _shell.Lines("first.out").Should().Equal(ThreeDatagrams("fd00::1"), _shell.Describe());
        _shell.Lines("second.out").Should().Equal(ThreeDatagrams("fd00::1"), _shell.Describe());
    }

    [RequiresNetworkNamespaceFact]
    public void MulticastReceiver_prints_the_join_error_for_a_group_that_is_not_multicast()
    {
        var script = $"""
            {NamespaceShell.Sample("MulticastReceiver", "--group", "10.1.2.3", "--interface", "lo", "--timeout", "1")} > "$out/receiver.out" 2> "$out/receiver.err"
            echo "receiver $?" >> "$out/exits"
            """;
        _shell.Run(script, withVeth: false, ScriptTimeout).Should().Be(0, _shell.Describe());

        _shell.Lines("receiver.err").Should().Equal(["Couldn't join multicast group 10.1.2.3 on interface lo: not a multicast address."], _shell.Describe());
        _shell.Lines("receiver.out").Should().BeEmpty();
        _shell.Lines("exits").Should().Equal(["receiver 1"], _shell.Describe());
    }

    [Theory]
    [InlineData("MulticastServer", new[] { "--bogus" })]
    [InlineData("MulticastServer", new[] { "--port", "65536" })]
    [InlineData("MulticastClient", new[] { "--port", "0" })]
    [InlineData("MulticastClient", new[] { "--timeout", "soon" })]
    [InlineData("MulticastSender", new[] { "--ttl", "256" })]
    [InlineData("MulticastSender", new[] { "--count", "-1" })]
    [InlineData("MulticastSender", new[] { "--group", "not-an-address" })]
    [InlineData("MulticastReceiver", new[] { "--interface" })]
    public void A_bad_option_prints_the_usage_and_exits_with_2(string sample, string[] arguments)
    {
        // The command line is checked before any socket exists, so this needs no private namespace.
        using var process = SampleProcess.StartSample(sample, arguments);
        process.WaitForExit(TimeSpan.FromSeconds(30)).Should().Be(2, string.Join('\n', process.Stderr));
        process.Stderr.Should().Contain(l => l.StartsWith($"usage: {sample} ", StringComparison.Ordinal));
        process.Stdout.Should().BeEmpty();
    }
}
