using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor.Internal;
using Reactor.Tests.Support;

namespace Reactor.Tests.Logging;

/// <summary>Decision D41: with no LoggerFactory, warnings and errors go to stderr in a plain format; the format, level by level.</summary>
public class StandardErrorLoggerFactoryTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 13, 0, 0, 123, TimeSpan.FromHours(1));

    [Fact]
    public void The_default_options_log_to_standard_error_and_NullLoggerFactory_is_the_explicit_way_to_silence()
    {
        new ReactorOptions().LoggerFactory.Should().BeSameAs(StandardErrorLoggerFactory.Instance);
        new ReactorOptions { LoggerFactory = NullLoggerFactory.Instance }.LoggerFactory.Should().BeSameAs(NullLoggerFactory.Instance);
    }

    [Fact]
    public void An_entry_is_one_header_line_in_UTC_with_category_level_event_and_message()
    {
        StandardErrorLoggerFactory.Format(Noon, "Reactor.Udp", LogLevel.Warning, new EventId(205, "TruncatedDatagramDropped"), "Dropped a datagram", null)
            .Should().Be("2026-11-25 12:00:00.123Z [Reactor.Udp] warning 205 TruncatedDatagramDropped: Dropped a datagram\n");
    }

    [Fact]
    public void An_attached_exception_follows_on_lines_indented_by_a_tab_as_Twisted_indents_a_traceback()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        var lines = StandardErrorLoggerFactory.Format(Noon, "Reactor", LogLevel.Error, new EventId(1, "TimedCallFailed"), "Unhandled Error while handling timed call", thrown)
            .Split('\n');
        lines[0].Should().Be("2026-11-25 12:00:00.123Z [Reactor] error 1 TimedCallFailed: Unhandled Error while handling timed call");
        lines[1].Should().Be("\tSystem.InvalidOperationException: boom");
        lines[2].Should().StartWith("\t   at Reactor.Tests.Logging.StandardErrorLoggerFactoryTests.");
        lines[^1].Should().BeEmpty("the entry ends with a newline");
        lines[1..^1].Should().OnlyContain(l => l.StartsWith('\t'));
    }

    [Fact]
    public void An_entry_without_an_event_id_has_no_id_in_its_header()
    {
        StandardErrorLoggerFactory.Format(Noon, "App", LogLevel.Critical, default, "down", null)
            .Should().Be("2026-11-25 12:00:00.123Z [App] critical: down\n");
    }

    [Theory]
    [InlineData(LogLevel.Trace, false)]
    [InlineData(LogLevel.Debug, false)]
    [InlineData(LogLevel.Information, false)]
    [InlineData(LogLevel.Warning, true)]
    [InlineData(LogLevel.Error, true)]
    [InlineData(LogLevel.Critical, true)]
    [InlineData(LogLevel.None, false)]
    public void Warnings_and_more_severe_messages_are_written_and_nothing_else(LogLevel level, bool written)
    {
        var output = new StringWriter();
        var logger = new StandardErrorLoggerFactory(output).CreateLogger("Test");
        logger.IsEnabled(level).Should().Be(written);
        logger.Log(level, new EventId(9), "message", null, (s, _) => s);
        (output.ToString().Length > 0).Should().Be(written);
    }

    [Theory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void A_reactor_on_the_default_factory_writes_a_throwing_protocol_and_its_exception_and_not_its_information_messages(ReactorBackend backend)
    {
        var output = new StringWriter();
        using var reactor = ReactorFactory.Create(new ReactorOptions { Backend = backend, LoggerFactory = new StandardErrorLoggerFactory(output) });
        var protocol = new RecordingProtocol();
        var port = reactor.ListenUdp(0, protocol, "127.0.0.1");
        var sender = reactor.ListenUdp(0, new RecordingProtocol(), "127.0.0.1");
        reactor.CallWhenRunning(() => sender.Write("x"u8, new IPEndPoint(IPAddress.Loopback, port.GetHost().Port)));
        protocol.OnDatagram = (_, _, _) =>
        {
            reactor.Stop();
            throw new InvalidOperationException("protocol bug");
        };
        reactor.RunWithTimeout();

        var text = output.ToString();
        text.Should().Contain("[Reactor.Udp] error 204 ProtocolCallbackFailed: Unhandled Error in RecordingProtocol (UDP) DatagramReceived\n\tSystem.InvalidOperationException: protocol bug\n");
        text.Should().NotContain("starting on").And.NotContain("Closed)");
    }

    [Fact]
    public void Adding_a_provider_to_the_default_factory_is_refused_with_the_way_to_use_your_own()
    {
        var act = () => new StandardErrorLoggerFactory(new StringWriter()).AddProvider(NullLoggerProvider.Instance);
        act.Should().Throw<NotSupportedException>().WithMessage("*ReactorOptions.LoggerFactory*");
    }
}
