using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Reactor.Benchmarks.Runner;

namespace Reactor.Benchmarks.Micro;

/// <summary>
/// <c>micro</c>: the BenchmarkDotNet micro-benchmarks in this folder. Arguments go to BenchmarkDotNet unchanged
/// (<c>--filter *Dispatch*</c>, <c>--job short</c>, <c>--list flat</c>...). Defaults added when not given: every
/// benchmark (<c>--filter *</c>), in-process (<c>--inProcess</c>: no generated project to build, which on a 2-core
/// machine is most of a short run) and results under artifacts/benchmarks/micro.
/// </summary>
internal static class MicroCommand
{
    public static int Execute(string[] args)
    {
        if (!args.Contains("--filter") && !args.Contains("--list"))
        {
            args = [.. args, "--filter", "*"];
        }

        if (!args.Contains("--inProcess") && !args.Contains("--runtimes") && !args.Contains("-r"))
        {
            args = [.. args, "--inProcess"];
        }

        if (!args.Contains("--artifacts") && ToolPaths.FindRepositoryRoot(AppContext.BaseDirectory) is { } root)
        {
            args = [.. args, "--artifacts", Path.Combine(root, "artifacts", "benchmarks", "micro")];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run(args, DefaultConfig.Instance);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
