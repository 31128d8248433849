namespace Reactor.Tests.Support;

/// <summary>Finds programs the integration tests use as peers (Twisted, socat, unshare).</summary>
public static class ExternalProgram
{
    public static string? Find(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary><c>true</c> when a python3 that can import Twisted is installed.</summary>
    public static bool HasTwisted => TwistedPython is not null;

    /// <summary>
    /// A python3 that can import Twisted: Debian's (<c>/usr/bin/python3</c>, where <c>python3-twisted</c> installs) first,
    /// then the one on PATH (which may be a virtualenv or pyenv without it).
    /// </summary>
    public static string? TwistedPython => s_twistedPython.Value;

    private static readonly Lazy<string?> s_twistedPython = new(() =>
    {
        foreach (var candidate in new[] { "/usr/bin/python3", Find("python3") })
        {
            if (candidate is null || !File.Exists(candidate))
            {
                continue;
            }

            using var check = SampleProcess.Start(candidate, ["-c", "import twisted.internet.reactor"]);
            if (check.WaitForExit(TimeSpan.FromSeconds(30)) == 0)
            {
                return candidate;
            }
        }

        return null;
    });
}

/// <summary>A fact that is skipped, with the reason, when this process cannot create a network namespace (<c>unshare -rn</c>).</summary>
public sealed class RequiresNetworkNamespaceFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> s_canUnshare = new(() =>
    {
        if (ExternalProgram.Find("unshare") is null)
        {
            return false;
        }

        using var probe = SampleProcess.Start("unshare", ["-rn", "true"]);
        return probe.WaitForExit(TimeSpan.FromSeconds(30)) == 0;
    });

    public RequiresNetworkNamespaceFactAttribute()
    {
        if (!s_canUnshare.Value)
        {
            Skip = "cannot create a network namespace here (needs unshare from util-linux and user or root namespaces)";
        }
    }
}

/// <summary>A fact that is skipped, with the reason, when python3-twisted is not installed.</summary>
public sealed class RequiresTwistedFactAttribute : FactAttribute
{
    public RequiresTwistedFactAttribute()
    {
        if (!ExternalProgram.HasTwisted)
        {
            Skip = "python3-twisted is not installed (apt-get install python3-twisted; .ci/run does this)";
        }
    }
}

/// <summary>A fact that is skipped, with the reason, when a program is not on PATH.</summary>
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    public RequiresProgramFactAttribute(string program, string package)
    {
        if (ExternalProgram.Find(program) is null)
        {
            Skip = $"{program} is not installed (apt-get install {package}; .ci/run does this)";
        }
    }
}

/// <summary>A theory that is skipped, with the reason, when <c>program</c> is not on PATH.</summary>
public sealed class RequiresProgramTheoryAttribute : TheoryAttribute
{
    public RequiresProgramTheoryAttribute(string program, string package)
    {
        if (ExternalProgram.Find(program) is null)
        {
            Skip = $"{program} is not installed (apt-get install {package}; .ci/run does this)";
        }
    }
}
