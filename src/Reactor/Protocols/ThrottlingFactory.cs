using System.Net;
using Reactor.Internal.Protocols;

namespace Reactor.Protocols;

/// <summary>
/// A factory that limits its connections' total read and write rates, and their number (Twisted's
/// <c>policies.ThrottlingFactory</c>). Every second it compares the bytes read and written in that second with
/// <see cref="ReadLimit"/> and <see cref="WriteLimit"/>; over a limit, every connection's reading (or every registered
/// producer) is paused for as long as the excess would take at the limit — <c>bytes / limit − 1</c> seconds — then
/// resumed. A connection past <see cref="MaxConnectionCount"/> is closed at once.
/// </summary>
/// <remarks>
/// <para><b>Reads</b> are paused with the transport's <see cref="IPushProducer.PauseProducing"/> (the kernel then slows
/// the peer). <b>Writes</b> are throttled by pausing the producer the protocol registered (a push producer is paused; a
/// pull producer is not asked for more until the throttle ends); a protocol that writes without a producer is counted
/// but cannot be held back, as in Twisted.</para>
/// <para>The protocols see a transport of the throttle's own (an <see cref="ITransport"/>, not an
/// <see cref="ITcpTransport"/>) that counts what they write. It keeps their own pauses apart from the throttle's: a
/// protocol that paused its reading stays paused when a throttle ends, and a producer that the transport paused for its
/// high watermark is not resumed by the throttle, nor the other way round (Twisted resumes either way; decision D60 in docs/decisions.md).
/// A connection made while reads or writes are throttled starts throttled.</para>
/// <para>The second-by-second checks run on the clock given to the constructor while the factory has connections, and stop with
/// the last one. Reactor thread only.</para>
/// </remarks>
public sealed class ThrottlingFactory : Factory
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly IReactorTime _clock;
    private readonly HashSet<ThrottledTransport> _transports = [];
    private readonly Action<WrappedProtocol> _unregister;
    private readonly Func<ITransport, ITransport> _wrapTransport;
    private readonly Action<int> _countRead;
    private IDelayedCall? _checkRead;
    private IDelayedCall? _checkWrite;
    private IDelayedCall? _unthrottleReads;
    private IDelayedCall? _unthrottleWrites;

    /// <summary>Throttles <paramref name="wrappedFactory"/>'s connections.</summary>
    /// <param name="clock">The reactor (or a <see cref="Testing.Clock"/>) the checks run on.</param>
    /// <param name="wrappedFactory">The factory that builds the real protocols.</param>
    /// <param name="maxConnectionCount">The most connections at once (Twisted's default: no limit).</param>
    /// <param name="readLimit">The most bytes per second all connections together may read; <c>null</c> for no limit.</param>
    /// <param name="writeLimit">The most bytes per second all connections together may write; <c>null</c> for no limit.</param>
    public ThrottlingFactory(IReactorTime clock, Factory wrappedFactory, int maxConnectionCount = int.MaxValue, long? readLimit = null, long? writeLimit = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(wrappedFactory);
        ArgumentOutOfRangeException.ThrowIfNegative(maxConnectionCount);
        if (readLimit is { } read)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(read, nameof(readLimit));
        }

        if (writeLimit is { } write)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(write, nameof(writeLimit));
        }

        _clock = clock;
        WrappedFactory = wrappedFactory;
        MaxConnectionCount = maxConnectionCount;
        ReadLimit = readLimit;
        WriteLimit = writeLimit;
        _unregister = Unregister;
        _wrapTransport = Wrap;
        _countRead = length => ReadThisSecond += length;
    }

    /// <summary>The factory that builds the protocols.</summary>
    public Factory WrappedFactory { get; }

    /// <summary>The most connections at once; past it a connection is closed at once.</summary>
    public int MaxConnectionCount { get; }

    /// <summary>The most bytes per second all connections may read together; <c>null</c>: reads are not limited.</summary>
    public long? ReadLimit { get; }

    /// <summary>The most bytes per second all connections may write together; <c>null</c>: writes are not limited.</summary>
    public long? WriteLimit { get; }

    /// <summary>How many connections are open now.</summary>
    public int ConnectionCount { get; private set; }

    /// <summary>Bytes the protocols received in the current second (Twisted's <c>readThisSecond</c>).</summary>
    public long ReadThisSecond { get; private set; }

    /// <summary>Bytes the protocols wrote in the current second (Twisted's <c>writtenThisSecond</c>).</summary>
    public long WrittenThisSecond { get; private set; }

    /// <summary>Whether reads are paused now for exceeding <see cref="ReadLimit"/>.</summary>
    public bool ReadsThrottled { get; private set; }

    /// <summary>Whether producers are paused now for exceeding <see cref="WriteLimit"/>.</summary>
    public bool WritesThrottled { get; private set; }

    /// <inheritdoc/>
    public override string LogPrefix => WrappedFactory.LogPrefix;

    /// <summary>
    /// A protocol from the wrapped factory behind a counting transport, or <c>null</c> (close) past
    /// <see cref="MaxConnectionCount"/>. The first connection starts the once-a-second checks.
    /// </summary>
    public override Protocol? BuildProtocol(EndPoint address)
    {
        if (ConnectionCount >= MaxConnectionCount)
        {
            return null;
        }

        var inner = WrappedFactory.BuildProtocol(address);
        if (inner is null)
        {
            return null;
        }

        if (ConnectionCount++ == 0)
        {
            if (ReadLimit is not null)
            {
                _checkRead ??= _clock.CallLater(CheckInterval, CheckReadBandwidth);
            }

            if (WriteLimit is not null)
            {
                _checkWrite ??= _clock.CallLater(CheckInterval, CheckWriteBandwidth);
            }
        }

        var wrapper = WrappedProtocol.Create(inner, _unregister, _wrapTransport, _countRead);
        wrapper.Factory = this;
        return wrapper;
    }

    /// <summary>Starts the wrapped factory (once for all the ports this one serves).</summary>
    public override void StartFactory() => WrappedFactory.DoStart();

    /// <summary>Stops the wrapped factory.</summary>
    public override void StopFactory() => WrappedFactory.DoStop();

    internal void RegisterWritten(long length) => WrittenThisSecond += length;

    private ITransport Wrap(ITransport transport)
    {
        var throttled = new ThrottledTransport(transport, this);
        _transports.Add(throttled);
        if (ReadsThrottled)
        {
            throttled.ThrottleReads();
        }

        if (WritesThrottled)
        {
            throttled.ThrottleWrites();
        }

        return throttled;
    }

    private void Unregister(WrappedProtocol protocol)
    {
        if (protocol.Inner.Transport is ThrottledTransport throttled)
        {
            _transports.Remove(throttled);
        }

        if (--ConnectionCount > 0)
        {
            return;
        }

        // Twisted cancels every pending call with the last connection; the first of the next ones starts them again.
        foreach (var call in new[] { _checkRead, _checkWrite, _unthrottleReads, _unthrottleWrites })
        {
            if (call is { Active: true })
            {
                call.Cancel();
            }
        }

        _checkRead = _checkWrite = _unthrottleReads = _unthrottleWrites = null;
        ReadsThrottled = WritesThrottled = false;
        ReadThisSecond = WrittenThisSecond = 0;
    }

    private void CheckReadBandwidth()
    {
        var limit = ReadLimit!.Value;
        if (ReadThisSecond > limit && !ReadsThrottled)
        {
            SetReadsThrottled(true);
            _unthrottleReads = _clock.CallLater(TimeSpan.FromSeconds(((double)ReadThisSecond / limit) - 1.0), () =>
            {
                _unthrottleReads = null;
                SetReadsThrottled(false);
            });
        }

        ReadThisSecond = 0;
        _checkRead = _clock.CallLater(CheckInterval, CheckReadBandwidth);
    }

    private void CheckWriteBandwidth()
    {
        var limit = WriteLimit!.Value;
        if (WrittenThisSecond > limit && !WritesThrottled)
        {
            SetWritesThrottled(true);
            _unthrottleWrites = _clock.CallLater(TimeSpan.FromSeconds(((double)WrittenThisSecond / limit) - 1.0), () =>
            {
                _unthrottleWrites = null;
                SetWritesThrottled(false);
            });
        }

        WrittenThisSecond = 0;
        _checkWrite = _clock.CallLater(CheckInterval, CheckWriteBandwidth);
    }

    private void SetReadsThrottled(bool throttled)
    {
        ReadsThrottled = throttled;
        foreach (var transport in Snapshot())
        {
            if (throttled)
            {
                transport.ThrottleReads();
            }
            else
            {
                transport.UnthrottleReads();
            }
        }
    }

    private void SetWritesThrottled(bool throttled)
    {
        WritesThrottled = throttled;
        foreach (var transport in Snapshot())
        {
            if (throttled)
            {
                transport.ThrottleWrites();
            }
            else
            {
                transport.UnthrottleWrites();
            }
        }
    }

    /// <summary>The transports now, copied: a producer resumed here may close its connection, which edits the set.</summary>
    private ThrottledTransport[] Snapshot() => [.. _transports];
}
