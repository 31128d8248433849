using System.Diagnostics.Metrics;
using System.Globalization;

namespace Reactor.Samples;

/// <summary>
/// Every connection a server's protocols saw made, how each ended, and those the reactor dropped before a protocol was
/// built (<c>reactor.tcp.accepts.dropped</c>): TcpEcho's <c>--accounting</c>, read by <c>tests/hostile/tcp_hostile.py</c>.
/// Reactor thread only.
/// </summary>
internal sealed class ConnectionAccounting
{
    private long _done;
    private long _lost;
    private long _aborted;
    private long _overflow;
    private long _error;

    public ConnectionAccounting(IReactor reactor) =>
        reactor.AddSystemEventTrigger(SystemEventPhase.Before, SystemEvents.Shutdown, () => OpenAtStop = Opened - Closed);

    public long Opened { get; private set; }

    public long Closed { get; private set; }

    /// <summary>Connections still open when the shutdown began (they are then closed and counted as lost).</summary>
    public long OpenAtStop { get; private set; }

    public void Made() => Opened++;

    public void Lost(Exception reason)
    {
        Closed++;
        switch (reason)
        {
            case ConnectionDoneException:
                _done++;
                break;
            case WriteBufferOverflowException:
                _overflow++;
                break;
            case ConnectionAbortedException:
                _aborted++;
                break;
            case ConnectionLostException:
                _lost++;
                break;
            default:
                _error++;
                break;
        }
    }

    public override string ToString()
    {
        // The reactor's own count of connections dropped before a protocol was built, by reason (Reactor meter).
        var dropped = new Dictionary<string, long>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Reactor" && instrument.Name == "reactor.tcp.accepts.dropped")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason")
                    {
                        dropped[(string)tag.Value!] = value;
                    }
                }
            });
            listener.Start();
            listener.RecordObservableInstruments();
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"connections opened={Opened} closed={Closed} open_at_stop={OpenAtStop} done={_done} lost={_lost} aborted={_aborted} overflow={_overflow} error={_error} " +
            $"reset_before_accept={dropped.GetValueOrDefault("aborted")} refused={dropped.GetValueOrDefault("refused")} shed={dropped.GetValueOrDefault("shed")} accept_errors={dropped.GetValueOrDefault("error")}");
    }
}
