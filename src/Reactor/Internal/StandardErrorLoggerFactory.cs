using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Reactor.Internal;

/// <summary>
/// The logger factory a reactor uses when <see cref="ReactorOptions.LoggerFactory"/> is left alone: warnings, errors and
/// critical messages go to standard error as plain text, everything less severe nowhere (decision D41).
/// </summary>
/// <remarks>
/// <para>
/// This is the library's only use of <see cref="Console"/>, on purpose: Twisted prints "Unhandled Error" and its traceback
/// to stderr with no setup at all, and a newcomer whose protocol throws must see it without first learning
/// Microsoft.Extensions.Logging. Taking <c>Microsoft.Extensions.Logging.Console</c> for this would add a dependency (and
/// its own configuration model) to every user's program, so the format is ours, written by one small class; anyone who
/// wants more configures a real factory, and silence is one explicit <c>NullLoggerFactory.Instance</c> away.
/// </para>
/// <para>
/// One entry per message: a header line — UTC time, <c>[category]</c>, level, event id and name, message — and, when an
/// exception is attached, its full text on the following lines, each indented by a tab as Twisted indents a traceback.
/// Each entry is written with one <see cref="TextWriter.Write(string)"/> under a lock, so entries from the reactor
/// thread, the worker pool and the finalizer never interleave.
/// </para>
/// </remarks>
internal sealed class StandardErrorLoggerFactory : ILoggerFactory
{
    /// <summary>The least severe level written.</summary>
    internal const LogLevel MinimumLevel = LogLevel.Warning;

    private readonly TextWriter? _writer;
    private readonly TimeProvider _time;
    private readonly object _writeLock = new();

    /// <summary>Creates a factory writing to <paramref name="writer"/> (tests), or to the current <see cref="Console.Error"/> when null.</summary>
    internal StandardErrorLoggerFactory(TextWriter? writer = null, TimeProvider? time = null)
    {
        _writer = writer;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The process-wide default: standard error, system time.</summary>
    internal static StandardErrorLoggerFactory Instance { get; } = new();

    /// <summary>
    /// A logger for <paramref name="categoryName"/>. Creating one opens standard error now if this factory writes there:
    /// .NET opens it on first use, which needs a descriptor, and the first message is often about running out of them.
    /// </summary>
    public ILogger CreateLogger(string categoryName)
    {
        if (_writer is null)
        {
            try
            {
                _ = Console.Error;
            }
            catch (IOException)
            {
                // Out of descriptors already: Write tries again later.
            }
        }

        return new Logger(this, categoryName);
    }

    /// <summary>Providers are not supported: this factory has one destination. To add providers, use a real factory.</summary>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException(
            "Reactor's default logger writes to standard error only; set ReactorOptions.LoggerFactory to your own factory to add providers.");

    public void Dispose()
    {
    }

    /// <summary>Formats one entry: the header line, then the exception's lines indented by a tab; ends with a newline.</summary>
    internal static string Format(DateTimeOffset time, string category, LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var text = new StringBuilder(128);
        text.Append(time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append("Z [")
            .Append(category).Append("] ").Append(LevelName(level));
        if (eventId.Id != 0 || eventId.Name is not null)
        {
            text.Append(' ').Append(eventId.Id.ToString(CultureInfo.InvariantCulture));
            if (eventId.Name is not null)
            {
                text.Append(' ').Append(eventId.Name);
            }
        }

        text.Append(": ").Append(message).Append('\n');
        if (exception is not null)
        {
            foreach (var line in exception.ToString().ReplaceLineEndings("\n").Split('\n'))
            {
                text.Append('\t').Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        LogLevel.Information => "info",
        LogLevel.Debug => "debug",
        _ => "trace",
    };

    private void Write(string entry)
    {
        lock (_writeLock)
        {
            try
            {
                var writer = _writer ?? Console.Error;
                writer.Write(entry);
                writer.Flush();
            }
            catch (IOException)
            {
                // A log call must never throw into the loop: with standard error closed, full or not yet openable (no
                // descriptor left, EMFILE), the entry is lost, and the next one tries again.
            }
        }
    }

    private sealed class Logger(StandardErrorLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            owner.Write(Format(owner._time.GetUtcNow(), category, logLevel, eventId, formatter(state, exception), exception));
        }
    }
}
