using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Reactor.Tests.Docs;

/// <summary>
/// docs/logging-and-metrics.md lists every log message and every instrument: a message or instrument added to the
/// library without a row there (or a row that no longer matches the code) fails here.
/// </summary>
public partial class LoggingAndMetricsDocsTests
{
    private static readonly string Page = File.ReadAllText(
        Path.Combine(DocSnippetTests.RepositoryRoot, "docs", "logging-and-metrics.md")).ReplaceLineEndings("\n");

    public static TheoryData<int, string, string, string> LogMessages
    {
        get
        {
            var data = new TheoryData<int, string, string, string>();
            foreach (var message in DefinedLogMessages())
            {
                data.Add(message.EventId, message.EventName!, message.Level.ToString(), message.Message);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LogMessages))]
    public void Every_log_message_is_listed_with_its_id_name_level_and_wording(int eventId, string eventName, string level, string message)
    {
        DocumentedLogMessages().Should().Contain(
            (eventId, eventName, level, message),
            $"event {eventId} ({eventName}) must have the row | {eventId} | `{eventName}` | {level} | `{message}` | … | in docs/logging-and-metrics.md");
    }

    [Fact]
    public void Every_listed_log_message_exists()
    {
        var defined = DefinedLogMessages().Select(m => m.EventId).ToHashSet();
        DocumentedLogMessages().Select(m => m.EventId).Should().OnlyContain(id => defined.Contains(id), "a row must not outlive its message");
        defined.Should().NotBeEmpty();
    }

    [Fact]
    public void Event_ids_are_unique_across_the_library()
    {
        DefinedLogMessages().Select(m => m.EventId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Every_instrument_of_the_Reactor_meter_is_listed()
    {
        _ = Reactor.Internal.ReactorMetrics.LoopIterations;
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Reactor.Internal.Udp.UdpMetrics).TypeHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(Reactor.Internal.Streams.StreamMetrics).TypeHandle);
        var names = new List<string>();
        // A MeterListener, not MetricCollector: this enumerates every instrument the meter publishes, which a
        // MetricCollector (one per named instrument) cannot.
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "Reactor")
                {
                    names.Add(instrument.Name);
                }
            };
            listener.Start();
        }

        names.Should().NotBeEmpty();
        foreach (var name in names)
        {
            Page.Should().Contain($"| `{name}` |", $"docs/logging-and-metrics.md must list the instrument {name}");
        }
    }

    /// <summary>The [LoggerMessage] definitions compiled into the library (and its companion packages).</summary>
    private static List<LoggerMessageAttribute> DefinedLogMessages()
    {
        var assemblies = new[] { typeof(IReactor).Assembly, typeof(Reactor.Hosting.Internal.HostingLog).Assembly };
        var messages = new List<LoggerMessageAttribute>();
        foreach (var assembly in assemblies)
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        messages.Add(attribute);
                    }
                }
            }
        }

        return messages;
    }

    private static List<(int EventId, string EventName, string Level, string Message)> DocumentedLogMessages() =>
        [.. LogRow().Matches(Page).Select(m => (int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["name"].Value, m.Groups["level"].Value, m.Groups["message"].Value))];

    [GeneratedRegex(@"^\| (?<id>\d+) \| `(?<name>[^`]+)` \| (?<level>\w+) \| `(?<message>[^`]*)` \|", RegexOptions.Multiline)]
    private static partial Regex LogRow();
}
