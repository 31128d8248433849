using System.Globalization;
using Reactor.Tests.Samples;
using Reactor.Tests.Support;
using Xunit.Abstractions;

namespace Reactor.Tests.Udp;

/// <summary>
/// Issue 7 at the MulticastServer sample: a flood of every size on its group, and datagrams that are not its question.
/// Each test runs the sample and a stdlib-only Python driver (<c>/usr/bin/python3</c>, files beside this one) inside a
/// private network namespace it creates, so no group datagram can leave the machine.
/// </summary>
[Collection(SampleCollection.Name)]
[Trait("kind", "hostile")]
public sealed class MulticastServerHostileTrafficTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Memory the sample may gain after its first second of flood: the GC heap settling, not growth per datagram.</summary>
    private const long RssMarginBytes = 64L << 20;

    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(240);

    private readonly NamespaceShell _shell = new();

    public void Dispose() => _shell.Dispose();

    [RequiresNetworkNamespaceFact]
    public void MulticastServer_answers_every_probe_within_a_second_during_a_flood_of_every_size_accounts_for_every_datagram_it_read_keeps_its_memory_flat_and_exits_0()
    {
        // The server's stdout goes through awk, which keeps its first line, counts the rest and keeps the --stats line:
        // the flood's reprs (gigabytes of text) never reach the disk. mawk reads a pipe in blocks, so the server's first
        // line is no sign of readiness; its socket is (and the driver's first probe waits for its join and JIT). The
        // server's PID, for its memory, is that of timeout(1)'s child.
        var script = $$"""
            mkfifo "$out/server.fifo"
            awk -v first="$out/server.first" -v stats="$out/server.stats" -v counts="$out/server.counts" -v other="$out/server.other" '
              NR == 1 { print > first; next }
              /^Server Received: / { received++; if ($0 == "Server Received: '\''UniqueID'\''") questions++; next }
              /^datagrams=/ { print > stats; next }
              { if (++others <= 20) print > other }
              END { print "received=" received + 0 > counts; print "questions=" questions + 0 > counts; print "others=" others + 0 > counts }
            ' < "$out/server.fifo" &
            printer=$!
            {{NamespaceShell.Sample("MulticastServer", "--interface", "127.0.0.1", "--stats")}} > "$out/server.fifo" 2> "$out/server.err" &
            server=$!
            wait_bound 8005
            rm -f "$out/server.fifo" # both ends are open; gone, it cannot block a reader of $out
            read -r dotnet _ < "/proc/$server/task/$server/children"
            {{Python}} {{NamespaceShell.Quote(Driver("multicast_flood.py"))}} --server-pid "$dotnet" > "$out/flood.out" 2> "$out/flood.err"
            echo "flood $?" >> "$out/exits"
            kill -TERM $server
            wait $server
            echo "server $?" >> "$out/exits"
            wait $printer
            echo "printer $?" >> "$out/exits"
            """;
        _shell.Run(script, withVeth: false, ScriptTimeout).Should().Be(0, _shell.Describe());

        _shell.Lines("exits").Should().Equal(["flood 0", "server 0", "printer 0"], _shell.Describe());
        _shell.Lines("server.err").Should().OnlyContain(l => l.Contains("] warning 205 TruncatedDatagramDropped: ", StringComparison.Ordinal), "with no logger configured, only the oversized datagrams' drops reach stderr (D41)");
        _shell.Lines("flood.err").Should().BeEmpty();
        _shell.Lines("server.first").Should().Equal(["Started Listening"]);
        var flood = KeyValues(_shell.Lines("flood.out"));
        var printed = KeyValues(_shell.Lines("server.counts"));
        _shell.Lines("server.stats").Should().ContainSingle(_shell.Describe());
        var stats = KeyValues(_shell.Lines("server.stats")[0].Split(' '));
        printed["others"].Should().Be("0", "the server prints nothing else: {0}", string.Join('\n', _shell.Lines("server.other")));

        long Number(Dictionary<string, string> values, string key) => long.Parse(values[key], CultureInfo.InvariantCulture);
        var sent = Number(flood, "sent");
        var questions = Number(flood, "probe_sends");
        var datagrams = Number(stats, "datagrams");
        var truncated = Number(stats, "dropped_truncated");
        var serverReads = datagrams + truncated;
        var socketDrops = Number(flood, "socket_drops");
        var backlogDrops = Number(flood, "softnet_dropped");
        var rtts = flood["probe_rtts_ms"].Split(',');
        var answered = rtts.Where(r => r != "none").Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        var (rssBefore, rssWarm, rssAfter) = (Number(flood, "rss_before"), Number(flood, "rss_warm"), Number(flood, "rss_after"));
        var unaccounted = sent + questions - serverReads - socketDrops;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            multicast flood: {sent} datagrams of 0–65,507 bytes sent in {flood["flood_seconds"]} s by 2 senders (+{questions} probe questions, {flood["send_errors"]} send errors)
            server: read {serverReads} = {datagrams} delivered and printed ({Number(printed, "questions")} of them UniqueID) + {truncated} dropped as truncated; InDatagrams {flood["InDatagrams"]} (of which {flood["probe_reads"]} probe answers)
            kernel: {socketDrops} dropped at the server's socket (RcvbufErrors {flood["RcvbufErrors"]}, InErrors {flood["InErrors"]}); {unaccounted} not accounted by the namespace (machine-wide backlog drops {backlogDrops})
            probes: {answered.Length}/{rtts.Length} answered, worst {(answered.Length > 0 ? answered.Max() : 0):F1} ms (before the flood {flood["probe_before_ms"]} ms, after {flood["probe_after_ms"]} ms)
            RSS: {rssBefore >> 20} MiB before, {rssWarm >> 20} MiB after 1 s of flood, {rssAfter >> 20} MiB after
            """));

        // Responsive: every probe answered within its second, with exactly the 4-byte 'data' (never more than asked).
        sent.Should().BeGreaterThan(1_000, "the flood did send");
        flood["probe_before_ms"].Should().NotBe("none", "the server answers before the flood");
        rtts.Should().HaveCountGreaterThanOrEqualTo(10).And.AllSatisfy(r => r.Should().NotBe("none", "every probe is answered within a second while the flood runs"));
        flood["probe_after_ms"].Should().NotBe("none", "the server answers after the flood");
        flood["probe_unexpected"].Should().Be("0", "every reply is exactly 'data'");

        // Every datagram accounted for. The namespace's InDatagrams counts each datagram an application read: the server's
        // reads and the probes' answers. Each read is either delivered (printed once) or dropped as truncated.
        flood["drained"].Should().Be("True", "the server read everything queued before the counters were taken");
        Number(printed, "received").Should().Be(datagrams, "every delivered datagram is printed once");
        Number(printed, "questions").Should().BeInRange(rtts.Length + 2, questions, "each answered probe's question was delivered");
        truncated.Should().BeGreaterThan(0, "most of the flood is longer than the 8,192-byte maxPacketSize");
        (Number(flood, "InDatagrams") - Number(flood, "probe_reads")).Should().Be(serverReads, "Reactor counts every datagram the kernel handed it");

        // And the kernel's side: what was sent was read by the server or dropped at its full socket, except what the
        // loopback's per-CPU backlog dropped before UDP saw it (counted machine-wide only, so it bounds the rest).
        unaccounted.Should().BeInRange(0, backlogDrops, "sent = read + dropped at the socket + dropped in the backlog");

        rssAfter.Should().BeLessThan(rssWarm + RssMarginBytes, $"memory stays flat across {sent} datagrams (after 1 s of flood {rssWarm >> 20} MiB)");
    }

    [RequiresNetworkNamespaceFact]
    public void MulticastServer_prints_every_datagram_that_is_not_exactly_UniqueID_answers_none_of_them_and_answers_UniqueID_once_with_4_bytes()
    {
        var script = $"""
            {NamespaceShell.Sample("MulticastServer", "--interface", "127.0.0.1", "--stats")} > "$out/server.out" 2> "$out/server.err" &
            server=$!
            wait_for "$out/server.out" 'Started Listening'
            {Python} {NamespaceShell.Quote(Driver("multicast_silence.py"))} "$out/expected" > "$out/silence.out" 2> "$out/silence.err"
            echo "silence $?" >> "$out/exits"
            kill -TERM $server
            wait $server
            echo "server $?" >> "$out/exits"
            """;
        _shell.Run(script, withVeth: false, ScriptTimeout).Should().Be(0, _shell.Describe());

        _shell.Lines("exits").Should().Equal(["silence 0", "server 0"], _shell.Describe());
        _shell.Lines("silence.err").Should().BeEmpty();
        _shell.Lines("server.err").Should().OnlyContain(l => l.Contains("] warning 205 TruncatedDatagramDropped: ", StringComparison.Ordinal), "with no logger configured, only the oversized datagrams' drops reach stderr (D41)");
        var report = KeyValues(_shell.Lines("silence.out"));
        output.WriteLine(string.Join('\n', _shell.Lines("silence.out")));

        // Python's own repr is the oracle for the two random datagrams; the rest are spelled out.
        var expected = _shell.Lines("expected");
        expected.Should().HaveCount(11);
        expected.Should().Equal(
        [
            "Server Received: ''",
            "Server Received: 'uniqueid'",
            @"Server Received: 'UniqueID\n'",
            "Server Received: 'UniqueIDx'",
            "Server Received: 'UniqueI'",
            "Server Received: ' UniqueID'",
            @"Server Received: 'UniqueID\x00'",
            "Server Received: 'data'",
            expected[8],
            expected[9],
            "Server Received: 'UniqueID'",
        ]);
        expected[8].Length.Should().BeGreaterThan(1_000);
        expected[9].Length.Should().BeGreaterThan(8_192);

        // The 8,200-byte datagram is longer than maxPacketSize: not printed, counted as truncated.
        _shell.Lines("server.out").Should().Equal(["Started Listening", .. expected, "datagrams=11 dropped_truncated=1"], _shell.Describe());
        report["replies_before"].Should().Be("0", "no datagram but UniqueID gets a reply");

        // Replies come back in order, so a reply to any earlier datagram would show before 'data' here.
        report["replies"].Should().Be("'data'", "UniqueID gets exactly one reply");
        report["reply_sizes"].Should().Be("4", "the reply is smaller than its 8-byte request");
    }

    private static string Driver(string name)
    {
        File.Exists(Python).Should().BeTrue($"the drivers run with {Python} (standard library only)");
        return Path.Combine(AppContext.BaseDirectory, "Udp", name);
    }

    private static Dictionary<string, string> KeyValues(IEnumerable<string> lines) =>
        lines.Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
