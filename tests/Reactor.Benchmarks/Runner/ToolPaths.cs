namespace Reactor.Benchmarks.Runner;

/// <summary>Where the runner finds (or built) everything it starts.</summary>
internal sealed class ToolPaths
{
    /// <summary>The Python with python3-twisted (Debian's; a pyenv shim earlier on PATH may lack Twisted).</summary>
    public const string DefaultPython = "/usr/bin/python3";

    public required string RepositoryRoot { get; init; }

    /// <summary>A fresh temporary directory holding the C programs compiled for this run.</summary>
    public required string NativeDirectory { get; init; }

    public required string Dotnet { get; init; }

    /// <summary>samples/Echo's Release build.</summary>
    public required string EchoDll { get; init; }

    /// <summary>This program (it serves the .NET async Socket baseline as <c>socket-echo</c>).</summary>
    public required string BenchmarksDll { get; init; }

    public required string Python { get; init; }

    public required string TwistedScript { get; init; }

    /// <summary>Why Twisted's Echo is skipped, or <c>null</c> when Python can import Twisted.</summary>
    public string? TwistedMissingReason { get; set; }

    public string LoadGenerator => Path.Combine(NativeDirectory, "loadgen");

    /// <summary>The repository, found upwards from this program or from the current directory; null when neither is inside one.</summary>
    public static string? FindRepositoryRoot() =>
        FindRepositoryRoot(AppContext.BaseDirectory) ?? FindRepositoryRoot(Environment.CurrentDirectory);

    /// <summary>
    /// Compiles <c>c/&lt;program&gt;.c</c> of the benchmark folder with <c>gcc -O2</c> into <paramref name="outputDirectory"/>;
    /// returns the binary's path, or null (having said why on stderr) when gcc fails.
    /// </summary>
    public static string? CompileNative(string repositoryRoot, string program, string outputDirectory)
    {
        var output = Path.Combine(outputDirectory, program);
        var source = Path.Combine(repositoryRoot, "tests", "Reactor.Benchmarks", "c", program + ".c");
        Console.WriteLine($"build: gcc -O2 {program}.c");
        var (exitCode, _, stderr) = ExternalCommand.Run("gcc", ["-O2", "-Wall", "-o", output, source], TimeSpan.FromMinutes(2));
        if (exitCode != 0)
        {
            Console.Error.WriteLine($"error: gcc failed for {program}.c: {stderr}");
            return null;
        }

        return output;
    }

    /// <summary>The directory holding Reactor.sln, found upwards from <paramref name="start"/>.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Reactor.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>The dotnet host running this program, or <c>dotnet</c> from PATH.</summary>
    public static string FindDotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var process = Environment.ProcessPath;
        return process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
    }
}
