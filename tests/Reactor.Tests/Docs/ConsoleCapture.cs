namespace Reactor.Tests.Docs;

/// <summary>
/// Doc examples print with <see cref="Console"/>, and their tests assert what they print. The console is process-wide,
/// so the tests that capture it run in this collection, alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DocExamplesCollection
{
    public const string Name = "Doc examples (console)";
}

/// <summary>Captures <see cref="Console.Out"/> and <see cref="Console.Error"/> until disposed.</summary>
internal sealed class ConsoleCapture : IDisposable
{
    private readonly TextWriter _previousOut = Console.Out;
    private readonly TextWriter _previousError = Console.Error;
    private readonly StringWriter _output = new();
    private readonly TextWriter _writer;

    public ConsoleCapture()
    {
        _writer = TextWriter.Synchronized(_output);
        Console.SetOut(_writer);
        Console.SetError(_writer);
    }

    /// <summary>The lines printed so far (standard output and standard error together), in order.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            string text;
            lock (_writer)
            {
                text = _output.ToString();
            }

            return text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    public void Dispose()
    {
        Console.SetOut(_previousOut);
        Console.SetError(_previousError);
    }
}
