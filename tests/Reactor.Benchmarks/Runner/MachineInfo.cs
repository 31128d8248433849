using System.Runtime.InteropServices;

namespace Reactor.Benchmarks.Runner;

/// <summary>What the table was measured on, read at run time (docs/performance.md prints it with the table).</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string Kernel, string DotnetRuntime, string DotnetSdk, string Gcc, string Python)
{
    public static MachineInfo Read(ToolPaths paths, string? twistedVersion)
    {
        var cpu = ExternalCommand.FirstLine("sh", "-c", "lscpu | sed -n 's/^Model name: *//p'") ?? "unknown CPU";
        var kernel = ReadFirstLine("/proc/sys/kernel/osrelease") ?? RuntimeInformation.OSDescription;
        var sdk = ExternalCommand.FirstLine(paths.Dotnet, "--version") ?? "unknown";
        var gcc = ExternalCommand.FirstLine("gcc", "-dumpfullversion") ?? "unknown";
        var python = ExternalCommand.FirstLine(paths.Python, "--version") ?? "not found";
        if (twistedVersion is not null)
        {
            python += $", Twisted {twistedVersion}";
        }

        return new MachineInfo(cpu, Environment.ProcessorCount, kernel, RuntimeInformation.FrameworkDescription, sdk, gcc, python);
    }

    /// <summary>The 1-, 5- and 15-minute load averages: other work on the machine shows here.</summary>
    public static string LoadAverage() => string.Join(' ', (ReadFirstLine("/proc/loadavg") ?? "?").Split(' ').Take(3));

    public override string ToString() =>
        $"{Cpu}, {Cores} CPUs, Linux {Kernel}, {DotnetRuntime} (SDK {DotnetSdk}), gcc {Gcc}, {Python}";

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
