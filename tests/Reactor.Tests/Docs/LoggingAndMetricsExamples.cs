using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Reactor.Tests.Docs;

/// <summary>The code blocks of docs/logging-and-metrics.md, compiled and run.</summary>
public class LoggingAndMetricsExamples
{
    [Fact]
    public void A_reactor_logs_to_the_logger_factory_it_is_given()
    {
        // <snippet logger-factory>
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddConsole().SetMinimumLevel(LogLevel.Debug));
        using var reactor = ReactorFactory.Create(new ReactorOptions { LoggerFactory = loggerFactory });
        // </snippet>
        reactor.Backend.Should().NotBe(ReactorBackend.Auto);
    }

    [Fact]
    public void A_MeterListener_reads_the_Reactor_meter()
    {
        var names = new List<string>();

        // The meter and its instruments come into being with the first reactor: make sure one exists, with a port.
        using var reactor = ReactorFactory.Create();
        reactor.ListenUdp(0, new DatagramProtocol(), "127.0.0.1");

        // <snippet meter-listener>
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Reactor")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Console.WriteLine($"{instrument.Name} {value}"));
        listener.Start();
        listener.RecordObservableInstruments(); // prints the UDP totals
        // </snippet>
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) => names.Add(instrument.Name));
        listener.RecordObservableInstruments();
        names.Should().Contain("reactor.udp.datagrams.received");
    }
}
