using System.Globalization;

namespace Reactor.Benchmarks.Runner;

/// <summary>The <c>run</c> command's options.</summary>
internal sealed class RunOptions
{
    public int Rounds { get; private set; } = 3;

    public double Seconds { get; private set; } = 3;

    public double Warmup { get; private set; } = 1;

    public IReadOnlyList<string>? Servers { get; private set; }

    public IReadOnlyList<string>? Scenarios { get; private set; }

    public string? Output { get; private set; }

    public bool Build { get; private set; } = true;

    public bool Ceiling { get; private set; } = true;

    public int ServerCpu { get; private set; }

    public int LoadGeneratorCpu { get; private set; } = 1;

    public const string Usage = """
        usage: Reactor.Benchmarks run [options]
          --rounds N         rounds per server and scenario (default 3; at least 1, the issue asks for 3 or more)
          --seconds S        measured seconds per round (default 3)
          --warmup S         warm-up seconds per round before measuring (default 1)
          --servers a,b      only these servers (c-gso, c-mmsg, c-simple, dotnet-socket, twisted, reactor-epoll, reactor-portable)
          --scenarios a,b    only these scenarios (echo64, echo1024, pingpong64)
          --output FILE      where to write the markdown table (default artifacts/benchmarks/results.md)
          --no-build         do not build the Echo sample (the C sources are always compiled)
          --no-ceiling       skip the load generator's self-loop ceiling
          --server-cpu N     the CPU servers are pinned to (default 0)
          --loadgen-cpu N    the CPU the load generator is pinned to (default 1)
        """;

    /// <summary>Parses the options; returns <c>null</c> (after printing why) when they are wrong.</summary>
    public static RunOptions? Parse(string[] args)
    {
        var options = new RunOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value");
            try
            {
                switch (name)
                {
                    case "--rounds":
                        options.Rounds = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 1, 100);
                        break;
                    case "--seconds":
                        options.Seconds = Math.Clamp(double.Parse(Value(), CultureInfo.InvariantCulture), 0.1, 600);
                        break;
                    case "--warmup":
                        options.Warmup = Math.Clamp(double.Parse(Value(), CultureInfo.InvariantCulture), 0, 600);
                        break;
                    case "--servers":
                        options.Servers = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "--scenarios":
                        options.Scenarios = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "--output":
                        options.Output = Value();
                        break;
                    case "--no-build":
                        options.Build = false;
                        break;
                    case "--no-ceiling":
                        options.Ceiling = false;
                        break;
                    case "--server-cpu":
                        options.ServerCpu = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--loadgen-cpu":
                        options.LoadGeneratorCpu = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "-h" or "--help":
                        Console.WriteLine(Usage);
                        return null;
                    default:
                        throw new FormatException($"unknown option '{name}'");
                }
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                Console.Error.WriteLine(Usage);
                return null;
            }
        }

        return options;
    }
}
