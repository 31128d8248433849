namespace Reactor.Benchmarks.Runner;

/// <summary>
/// The Debian packages a table needs: when something is missing and the runner is root, <c>apt-get install -y</c> the
/// named packages (after one <c>apt-get update</c>), bounded in time; otherwise say which packages to install.
/// </summary>
internal static class Prerequisites
{
    private static bool s_updated;

    /// <summary>True when every program is on PATH (installing <paramref name="packages"/> first if needed and allowed).</summary>
    public static bool Ensure(IReadOnlyList<string> programs, string packages, bool required = true) =>
        Ensure(string.Join(", ", programs), () => programs.All(p => StreamBench.OnPath(p) is not null), packages, required);

    /// <summary>
    /// True when <paramref name="present"/> says so, at once or after installing <paramref name="packages"/> (root
    /// only). A missing <paramref name="required"/> one is an error; an optional one a note (its rows are skipped).
    /// </summary>
    public static bool Ensure(string what, Func<bool> present, string packages, bool required)
    {
        if (present())
        {
            return true;
        }

        var level = required ? "error" : "note";
        if (Environment.UserName != "root" || StreamBench.OnPath("apt-get") is not { } apt)
        {
            Console.Error.WriteLine($"{level}: {what} not found: apt-get install {packages}");
            return false;
        }

        Console.WriteLine($"prerequisites: {what} missing: apt-get install -y {packages}");
        if (!s_updated)
        {
            ExternalCommand.Run("env", ["DEBIAN_FRONTEND=noninteractive", apt, "update"], TimeSpan.FromMinutes(5));
            s_updated = true;
        }

        var (code, _, stderr) = ExternalCommand.Run(
            "env", ["DEBIAN_FRONTEND=noninteractive", apt, "install", "-y", "--no-install-recommends", .. packages.Split(' ')], TimeSpan.FromMinutes(10));
        if (code != 0 || !present())
        {
            Console.Error.WriteLine($"{level}: apt-get install {packages} failed (exit {code}): {stderr.Trim().Split('\n').LastOrDefault()}");
            return false;
        }

        return true;
    }
}
