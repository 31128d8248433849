using System.Diagnostics.Metrics;

namespace Reactor.Samples;

/// <summary>
/// The library's UDP receive counters, read once from its <c>Reactor</c> meter through a <see cref="MeterListener"/>:
/// the datagrams delivered to protocols and those dropped for being longer than <c>maxPacketSize</c>. They cover every
/// port of every reactor in the process, closed ports included, so read after <c>Run</c> returns they are the final totals.
/// </summary>
internal sealed class UdpDatagramCounts
{
    private UdpDatagramCounts()
    {
    }

    /// <summary>Datagrams delivered to <c>DatagramReceived</c> (<c>reactor.udp.datagrams.received</c>).</summary>
    public long Received { get; private set; }

    /// <summary>Datagrams read but dropped as longer than <c>maxPacketSize</c> (<c>reactor.udp.datagrams.dropped</c>, <c>reason</c> = <c>truncated</c>).</summary>
    public long DroppedTruncated { get; private set; }

    /// <summary>Collects the observable instruments once and returns their values.</summary>
    public static UdpDatagramCounts Read()
    {
        var counts = new UdpDatagramCounts();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Reactor" && instrument.Name is "reactor.udp.datagrams.received" or "reactor.udp.datagrams.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "reactor.udp.datagrams.received")
            {
                counts.Received += value;
            }
            else
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "reason", Value: "truncated" })
                    {
                        counts.DroppedTruncated += value;
                    }
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return counts;
    }
}
