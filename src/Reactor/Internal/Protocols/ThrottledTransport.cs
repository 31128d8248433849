using System.Net;
using Reactor.Protocols;

namespace Reactor.Internal.Protocols;

/// <summary>
/// The transport a <see cref="ThrottlingFactory"/>'s protocols see (Twisted's <c>ThrottlingProtocol</c>, on the
/// transport side): it counts what they read and write into the factory's second, and pauses reading or the registered
/// producer while the factory throttles — keeping each pause apart from the protocol's own and from the real
/// transport's, so lifting one never lifts another (decision D60).
/// </summary>
/// <remarks>
/// The real transport sees this object as the producer (when the protocol registers one), so its watermark pauses come
/// here too and are combined with the throttle's before reaching the protocol's producer.
/// </remarks>
internal sealed class ThrottledTransport(ITransport inner, ThrottlingFactory factory) : ITransport, IPushProducer, IPullProducer
{
    private IProducer? _producer;
    private bool _streaming;
    private bool _readsPausedByProtocol;
    private bool _readsThrottled;
    private bool _producerPausedByTransport;
    private bool _writesThrottled;
    private bool _producerPaused;
    private bool _pullOwed;

    public bool Disconnecting => inner.Disconnecting;

    public long BufferedBytes => inner.BufferedBytes;

    public int HighWatermark
    {
        get => inner.HighWatermark;
        set => inner.HighWatermark = value;
    }

    public int LowWatermark
    {
        get => inner.LowWatermark;
        set => inner.LowWatermark = value;
    }

    public EndPoint GetHost() => inner.GetHost();

    public EndPoint GetPeer() => inner.GetPeer();

    public void Write(ReadOnlySpan<byte> data)
    {
        factory.RegisterWritten(data.Length);
        inner.Write(data);
    }

    public void WriteSequence(IEnumerable<ReadOnlyMemory<byte>> data)
    {
        ArgumentNullException.ThrowIfNull(data);

        // Enumerated once (D18): each part is counted on its way through.
        inner.WriteSequence(Counted(data));
    }

    public void LoseConnection() => inner.LoseConnection();

    public void AbortConnection() => inner.AbortConnection();

    public void RegisterProducer(IProducer producer, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(producer);
        inner.RegisterProducer(this, streaming);
        _producer = producer;
        _streaming = streaming;
        _producerPausedByTransport = false;
        _producerPaused = false;
        _pullOwed = false;
        if (streaming && _writesThrottled)
        {
            UpdateProducer();
        }
    }

    public void UnregisterProducer()
    {
        _producer = null;
        _producerPaused = false;
        _pullOwed = false;
        inner.UnregisterProducer();
    }

    // ---- The protocol pausing its own reading ---------------------------------------------------------------------

    void IPushProducer.PauseProducing()
    {
        if (_producer is null || ReferenceEquals(_producer, this))
        {
            // Called by the protocol (reading) — or by the real transport when the protocol registered this transport
            // as its own producer (TcpEcho does), which is also a pause of reading.
            if (ReferenceEquals(_producer, this))
            {
                _producerPausedByTransport = true;
            }

            _readsPausedByProtocol = true;
            UpdateReading();
            return;
        }

        _producerPausedByTransport = true;
        UpdateProducer();
    }

    void IPushProducer.ResumeProducing()
    {
        if (_producer is null || ReferenceEquals(_producer, this))
        {
            _producerPausedByTransport = false;
            _readsPausedByProtocol = false;
            UpdateReading();
            return;
        }

        _producerPausedByTransport = false;
        UpdateProducer();
    }

    void IPullProducer.ResumeProducing()
    {
        // The real transport asks a pull producer for more; while writes are throttled the request waits.
        if (_producer is IPullProducer pull && !ReferenceEquals(pull, this))
        {
            if (_writesThrottled)
            {
                _pullOwed = true;
            }
            else
            {
                pull.ResumeProducing();
            }
        }
    }

    void IProducer.StopProducing()
    {
        if (_producer is { } producer && !ReferenceEquals(producer, this))
        {
            producer.StopProducing();
        }
        else
        {
            inner.StopProducing();
        }
    }

    // ---- The factory's throttle -----------------------------------------------------------------------------------

    internal void ThrottleReads()
    {
        _readsThrottled = true;
        UpdateReading();
    }

    internal void UnthrottleReads()
    {
        _readsThrottled = false;
        UpdateReading();
    }

    internal void ThrottleWrites()
    {
        _writesThrottled = true;
        UpdateProducer();
    }

    internal void UnthrottleWrites()
    {
        _writesThrottled = false;
        UpdateProducer();
        if (_pullOwed && _producer is IPullProducer pull)
        {
            _pullOwed = false;
            pull.ResumeProducing();
        }
    }

    private void UpdateReading()
    {
        if (inner.Disconnecting)
        {
            return;
        }

        // A protocol that made this transport its own producer (TcpEcho does) is throttled on writes by pausing reading.
        if (_readsPausedByProtocol || _readsThrottled || (_writesThrottled && ReferenceEquals(_producer, this)))
        {
            inner.PauseProducing();
        }
        else
        {
            inner.ResumeProducing();
        }
    }

    private void UpdateProducer()
    {
        if (ReferenceEquals(_producer, this))
        {
            UpdateReading();
            return;
        }

        if (_producer is not IPushProducer push || !_streaming)
        {
            return;
        }

        var pause = _producerPausedByTransport || _writesThrottled;
        if (pause != _producerPaused)
        {
            _producerPaused = pause;
            if (pause)
            {
                push.PauseProducing();
            }
            else
            {
                push.ResumeProducing();
            }
        }
    }

    private IEnumerable<ReadOnlyMemory<byte>> Counted(IEnumerable<ReadOnlyMemory<byte>> data)
    {
        foreach (var part in data)
        {
            factory.RegisterWritten(part.Length);
            yield return part;
        }
    }

    public override string ToString() => $"<ThrottledTransport over {inner}>";
}
