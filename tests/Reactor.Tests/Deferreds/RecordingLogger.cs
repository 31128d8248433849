using Microsoft.Extensions.Logging;

namespace Reactor.Tests.Deferreds;

/// <summary>An <see cref="ILogger"/> that records every entry, thread-safely.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToList();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add(new Entry(logLevel, eventId, formatter(state, exception), exception));
        }
    }

    internal sealed record Entry(LogLevel Level, EventId EventId, string Message, Exception? Exception);
}
