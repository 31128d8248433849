using System.Globalization;

namespace Reactor.Internal.Endpoints;

/// <summary>
/// The sockets systemd passed to this process (socket activation, <c>sd_listen_fds_with_names(3)</c>; Twisted's
/// <c>ListenFDs</c>): <c>LISTEN_FDS</c> descriptors from 3 up, for this process only when <c>LISTEN_PID</c> is its id,
/// named by <c>LISTEN_FDNAMES</c> (colon-separated; every name is <c>unknown</c> when it is missing or does not match,
/// as libsystemd says).
/// </summary>
internal sealed class SystemdSockets
{
    /// <summary><c>SD_LISTEN_FDS_START</c>: the first descriptor systemd passes.</summary>
    internal const int FirstDescriptor = 3;

    private static readonly Lazy<SystemdSockets> s_current = new(() => FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId));

    internal SystemdSockets(IReadOnlyList<int> descriptors, IReadOnlyList<string> names)
    {
        Descriptors = descriptors;
        Names = names;
    }

    /// <summary>This process's, read once.</summary>
    internal static SystemdSockets Current => s_current.Value;

    internal IReadOnlyList<int> Descriptors { get; }

    internal IReadOnlyList<string> Names { get; }

    /// <summary>Reads the variables through <paramref name="variable"/> for the process <paramref name="processId"/>.</summary>
    internal static SystemdSockets FromEnvironment(Func<string, string?> variable, int processId)
    {
        var pid = variable("LISTEN_PID");
        var count = variable("LISTEN_FDS");
        if (pid != processId.ToString(CultureInfo.InvariantCulture) ||
            !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return new SystemdSockets([], []);
        }

        var descriptors = Enumerable.Range(FirstDescriptor, n).ToArray();
        var names = variable("LISTEN_FDNAMES")?.Split(':') ?? [];
        return new SystemdSockets(descriptors, names.Length == n ? names : Enumerable.Repeat("unknown", n).ToArray());
    }

    /// <summary>Says how many sockets there are, for error messages.</summary>
    internal string Describe() => Descriptors.Count == 0
        ? "systemd passed no sockets to this process (LISTEN_FDS and LISTEN_PID are not set for it)"
        : $"systemd passed {Descriptors.Count} socket(s), named {string.Join(", ", Names)}";
}
