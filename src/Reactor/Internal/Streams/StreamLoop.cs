using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Reactor.Internal.Streams;

/// <summary>
/// What the stream transports of one reactor share: the receive buffer every connection reads into, the pool of
/// write blocks, and the <i>dispatch</i> — the span of one readiness event during which writes are gathered instead of
/// sent, to leave with one system call per connection when it ends (the TCP counterpart of UDP's coalesced replies).
/// </summary>
/// <remarks>
/// <para>
/// One 64 KiB buffer serves every connection, because the data is handed to <see cref="Protocol.DataReceived"/> as a span
/// valid only during the call, and the loop dispatches one connection at a time; no connection owns a receive buffer,
/// so an idle one holds none (Twisted, libuv and uvloop read 64 KiB likewise).
/// </para>
/// <para>
/// A connection that needs its <i>service</i> — pending writes flushed, a close completed, a loss reported — asks with
/// <see cref="RequestService"/>. Inside a dispatch the service runs when the dispatch ends; outside one (a timer, a
/// Deferred callback) it runs as a soon-call, after the current callback returns. Either way a protocol's own call never
/// re-enters it. Reactor thread only.
/// </para>
/// </remarks>
internal sealed class StreamLoop
{
    /// <summary>Bytes a single read asks for (Twisted's <c>bufferSize</c>, 2**16).</summary>
    internal const int ReadSize = 64 * 1024;

    /// <summary>Most segments one vectored send carries (1 MiB of full blocks; Linux's IOV_MAX is 1,024).</summary>
    internal const int MaxSegments = 64;

    private static readonly SendOrPostCallback ServiceSoon = static state => ((StreamLoop)state!).ServicePending();

    private readonly ReactorBase _reactor;
    private readonly List<IStreamService> _pending = [];
    private readonly StreamCounters[] _counters = new StreamCounters[StreamKinds.Count];
    private LoopPipeScheduler? _pipeScheduler;
    private PipeBlockPool? _pipeBlocks;
    private int _depth;
    private bool _soonScheduled;
    private bool _servicing;

    internal StreamLoop(ReactorBase reactor)
    {
        _reactor = reactor;
        Logger = reactor.LoggerFactory.CreateLogger(StreamLog.Category);
        ReadBuffer = GC.AllocateUninitializedArray<byte>(ReadSize, pinned: true);
        for (var kind = 0; kind < StreamKinds.Count; kind++)
        {
            _counters[kind] = new StreamCounters((StreamKind)kind);
            StreamMetrics.Register(_counters[kind]);
        }

        Counters = new StreamCountersView(_counters);
    }

    /// <summary>Where stream transports log (<see cref="StreamLog"/>).</summary>
    internal ILogger Logger { get; }

    /// <summary>The shared receive buffer (pinned).</summary>
    internal byte[] ReadBuffer { get; }

    /// <summary>The reactor's write blocks.</summary>
    internal BlockPool Blocks { get; } = new();

    /// <summary>Scratch for building one vectored send.</summary>
    internal ArraySegment<byte>[] Segments { get; } = new ArraySegment<byte>[MaxSegments];

    /// <summary>The counts over every kind of stream, read live (tests, diagnostics).</summary>
    internal StreamCountersView Counters { get; }

    /// <summary>The counters of one kind of stream (read by the metrics); transports pick theirs once, when made.</summary>
    internal StreamCounters CountersFor(StreamKind kind)
    {
        var counters = _counters[(int)kind];
        counters.Used = true;
        return counters;
    }

    /// <summary>The counters of the streams of <paramref name="family"/> (TCP over IPv4 or IPv6, UNIX).</summary>
    internal StreamCounters CountersFor(AddressFamily family) => CountersFor(StreamKinds.Of(family));

    /// <summary>The scheduler of this reactor's pipes (<c>PipeProtocol</c>), made on first use.</summary>
    internal LoopPipeScheduler PipeScheduler => _pipeScheduler ??= new LoopPipeScheduler(_reactor, this);

    /// <summary>The pool of this reactor's pipe segments (<c>PipeProtocol</c>), made on first use.</summary>
    internal PipeBlockPool PipeBlocks => _pipeBlocks ??= new PipeBlockPool(_reactor);

    /// <summary>Whether a readiness event is being dispatched (writes now are gathered until it ends).</summary>
    internal bool InDispatch => _depth > 0;

    /// <summary>Starts dispatching one readiness event.</summary>
    internal void BeginDispatch() => _depth++;

    /// <summary>Ends it; at the outermost end, services every connection that asked.</summary>
    internal void EndDispatch()
    {
        if (--_depth == 0 && !_servicing)
        {
            ServicePending();
        }
    }

    /// <summary>
    /// Ends a dispatch that a transport call opened only to gather its own writes (<c>WriteSequence</c> outside a
    /// dispatch). At the outermost end the services asked for run as a soon-call, after the current callback, instead of
    /// here: the caller is still inside a protocol's call, and a service can end in that protocol's
    /// <see cref="Protocol.ConnectionLost"/> (D15).
    /// </summary>
    internal void EndGathering()
    {
        if (--_depth == 0 && _pending.Count > 0 && !_soonScheduled)
        {
            _soonScheduled = true;
            _reactor.CallSoon(ServiceSoon, this);
        }
    }

    /// <summary>Asks for <paramref name="connection"/>'s service after the current dispatch or callback (once until it runs).</summary>
    internal void RequestService(IStreamService connection)
    {
        if (connection.ServiceRequested)
        {
            return;
        }

        connection.ServiceRequested = true;
        _pending.Add(connection);
        if (_depth == 0 && !_soonScheduled)
        {
            _soonScheduled = true;
            _reactor.CallSoon(ServiceSoon, this);
        }
    }

    private void ServicePending()
    {
        if (_servicing)
        {
            return;
        }

        // Requests made while this runs (even from a dispatch a service opens) join this pass.
        _servicing = true;
        _soonScheduled = true;

        // A service may ask for others' (a ConnectionLost that writes to other connections): they join this pass.
        for (var i = 0; i < _pending.Count; i++)
        {
            var connection = _pending[i];
            connection.ServiceRequested = false;
            try
            {
                connection.Service();
            }
            catch (Exception e)
            {
                // Protocol code is guarded inside Service; this is the loop's own safety net.
                _reactor.LogCallbackError(connection.ToString() ?? nameof(IStreamService), e);
            }
        }

        _pending.Clear();
        _soonScheduled = false;
        _servicing = false;
    }
}
