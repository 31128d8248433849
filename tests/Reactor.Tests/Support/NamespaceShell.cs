using System.Text;

namespace Reactor.Tests.Support;

/// <summary>
/// Runs a shell script inside a new, empty network namespace (<c>unshare -rn sh -c</c>) whose loopback is up and carries
/// the IPv4 multicast route (224.0.0.0/4 dev lo), optionally with a veth pair <c>v0</c>/<c>v1</c> (<c>fd00::1</c> on v0)
/// for IPv6 groups. Whatever the programs started there send, group datagrams and IGMP/MLD reports cannot leave the
/// machine. The programs write their output to files in a private temporary directory, <see cref="Directory"/>.
/// </summary>
public sealed class NamespaceShell : IDisposable
{
    /// <summary>Shell helpers every script can use; each wait is bounded (about 60 s), and after one gives up the rest do at once.</summary>
    private const string Functions = """
        # wait_for FILE TEXT [N]: until FILE has at least N lines containing TEXT.
        wait_for() {
          [ -n "${gave_up:-}" ] && return 1
          i=0
          while :; do
            n=$(grep -c -F -- "$2" "$1" 2>/dev/null)
            [ "${n:-0}" -ge "${3:-1}" ] && return 0
            i=$((i + 1)); [ "$i" -gt 600 ] && { gave_up=1; echo "timed out waiting for '$2' in $1" >&2; return 1; }
            sleep 0.1
          done
        }
        # wait_bound PORT: until a UDP socket is bound to PORT (/proc/net/udp), for programs whose output is not a file to watch.
        wait_bound() {
          [ -n "${gave_up:-}" ] && return 1
          i=0
          until awk -v p="$(printf ':%04X' "$1")" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' /proc/net/udp; do
            i=$((i + 1)); [ "$i" -gt 600 ] && { gave_up=1; echo "timed out waiting for a UDP socket on port $1" >&2; return 1; }
            sleep 0.1
          done
        }
        # wait_members PROCFILE GROUPHEX N: until the kernel counts N members of the group (/proc/net/igmp or igmp6).
        wait_members() {
          [ -n "${gave_up:-}" ] && return 1
          i=0
          until awk -v g="$2" -v n="$3" '($1 == g && $2 >= n) || ($3 == g && $4 >= n) { found = 1 } END { exit !found }' "$1"; do
            i=$((i + 1)); [ "$i" -gt 600 ] && { gave_up=1; echo "timed out waiting for $3 members of $2" >&2; cat "$1" >&2; return 1; }
            sleep 0.1
          done
        }

        """;

    private const string IPv4Setup = """
        set -e
        ip link set lo up
        ip link set lo multicast on
        ip route add 224.0.0.0/4 dev lo

        """;

    private const string IPv6Setup = """
        ip link add v0 type veth peer name v1
        ip link set v0 up
        ip link set v1 up
        ip -6 addr add fd00::1/64 dev v0 nodad

        """;

    public DirectoryInfo Directory { get; } = System.IO.Directory.CreateTempSubdirectory("reactor-multicast-sample-");

    /// <summary>The stdout of the last <see cref="Run"/>.</summary>
    public IReadOnlyList<string> Stdout { get; private set; } = [];

    /// <summary>The stderr of the last <see cref="Run"/>.</summary>
    public IReadOnlyList<string> Stderr { get; private set; } = [];

    /// <summary>
    /// Runs <paramref name="script"/> (after the network setup; <c>$out</c> is <see cref="Directory"/>) and returns its
    /// exit code; fails the test if it takes longer than <paramref name="timeout"/>.
    /// </summary>
    public int Run(string script, bool withVeth, TimeSpan timeout)
    {
        var text = new StringBuilder()
            .Append(Functions)
            .Append(IPv4Setup)
            .Append(withVeth ? IPv6Setup : "")
            .Append("set +e\n")
            .Append("out=").Append(Quote(Directory.FullName)).Append('\n')
            .Append(script)
            .ToString();
        using var shell = SampleProcess.Start("unshare", ["-rn", "sh", "-c", text]);
        var exit = shell.WaitForExit(timeout);
        Stdout = shell.Stdout;
        Stderr = shell.Stderr;
        return exit;
    }

    /// <summary>The lines a program wrote to <c>$out/<paramref name="name"/></c> (empty when it wrote none).</summary>
    public string[] Lines(string name)
    {
        var path = Path.Combine(Directory.FullName, name);
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    /// <summary>Every file the script's programs wrote, and the script's own output, for failure messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles().Select(f => f.FullName).Order(StringComparer.Ordinal))
        {
            text.Append("--- ").Append(Path.GetFileName(file)).Append('\n').Append(File.ReadAllText(file));
        }

        text.Append("--- script stdout\n").AppendJoin('\n', Stdout).Append("\n--- script stderr\n").AppendJoin('\n', Stderr);
        return text.ToString();
    }

    /// <summary>A command running a sample built alongside the tests (as <see cref="SampleProcess.StartSample"/> finds it), bounded by <c>timeout</c>.</summary>
    public static string Sample(string sample, params string[] arguments)
    {
        var dll = SampleProcess.SampleDll(sample);
        return string.Join(' ', new[] { "timeout", "--foreground", "90", "dotnet", dll }.Concat(arguments).Select(Quote));
    }

    /// <summary>Quotes <paramref name="text"/> as one shell word.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public void Dispose() => Directory.Delete(recursive: true);
}
