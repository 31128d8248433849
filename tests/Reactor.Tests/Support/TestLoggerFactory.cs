using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Reactor.Tests.Support;

/// <summary>One captured log record.</summary>
public sealed record LogRecord(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>
/// An <see cref="ILoggerFactory"/> that keeps every record, for asserting on logs: the ecosystem's
/// <see cref="FakeLoggerProvider"/> and <see cref="FakeLogCollector"/> (Microsoft.Extensions.Diagnostics.Testing) do
/// the capturing; this keeps the tests' short view of a record (<see cref="Records"/>, <see cref="WithEventId"/>).
/// </summary>
public sealed class TestLoggerFactory : ILoggerFactory
{
    private readonly FakeLoggerProvider _provider = new(new FakeLogCollector());

    /// <summary>The collector itself, for tests that want the full <see cref="FakeLogRecord"/> (state, scopes, timestamps).</summary>
    public FakeLogCollector Collector => _provider.Collector;

    public IReadOnlyList<LogRecord> Records =>
        [.. Collector.GetSnapshot().Select(r => new LogRecord(r.Category ?? "", r.Level, r.Id, r.Message, r.Exception))];

    public IEnumerable<LogRecord> WithEventId(int id) => Records.Where(r => r.EventId.Id == id);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => _provider.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
