using System.Buffers;
using System.IO.Pipelines;
using Reactor.Internal.Streams;

namespace Reactor;

/// <summary>
/// A protocol written against <see cref="IDuplexPipe"/> (System.IO.Pipelines) instead of callbacks, like an ASP.NET
/// Core <c>ConnectionHandler</c>: override <see cref="ExecuteAsync"/>, read the peer's bytes from
/// <see cref="IDuplexPipe.Input"/> (with <see cref="PipeReader"/> and <see cref="SequenceReader{T}"/>), write replies to
/// <see cref="IDuplexPipe.Output"/>, and return when the conversation is over. Serve it with
/// <see cref="Factory.ForProtocol{TProtocol}"/> like any protocol; one instance serves one connection.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> <see cref="ExecuteAsync"/> starts on the reactor thread when the connection is made, and every
/// <c>await</c> on the pipe (<see cref="PipeReader.ReadAsync"/>, <see cref="PipeWriter.FlushAsync"/>) resumes on the
/// reactor thread, after the callback that woke it has returned — never on the thread pool. So the handler may use
/// <see cref="Protocol.Transport"/> and the reactor freely between awaits.</para>
/// <para><b>Back-pressure, both ways.</b> When the handler leaves 1 MiB unread, the transport stops reading (TCP slows
/// the peer) until it has read half of it. Output leaves through the transport: when the peer does not read and the
/// transport's buffer passes <see cref="ITransport.HighWatermark"/>, the pipe stops draining, and once it holds
/// <see cref="ITransport.HighWatermark"/> bytes itself, <see cref="PipeWriter.FlushAsync"/> waits until the transport
/// has drained to <see cref="ITransport.LowWatermark"/> (the watermarks as they were when the connection was made;
/// <see cref="TcpOptions"/> sets them). Memory per connection stays bounded either way.</para>
/// <para><b>Ending.</b> The peer's FIN completes the input (<see cref="ReadResult.IsCompleted"/>), and the handler may
/// still write its answer. A reset or another loss completes it with the reason (a
/// <see cref="ConnectionLostException"/>, thrown by <see cref="PipeReader.ReadAsync"/>), and a pending or later
/// <see cref="PipeWriter.FlushAsync"/> reports <see cref="FlushResult.IsCompleted"/>. Completing
/// <see cref="IDuplexPipe.Output"/>, or returning from <see cref="ExecuteAsync"/> (which completes both ends), sends
/// what was written and closes the connection cleanly. An exception from <see cref="ExecuteAsync"/> is logged and closes
/// the connection with that exception as the reason, as one thrown from any protocol callback (decision D16 in
/// docs/decisions.md).</para>
/// <para><b>Cost.</b> Received bytes are copied once more than on the <see cref="Protocol.DataReceived"/> path (into
/// the pipe's pooled 16 KiB segments), and each message goes through the pipes' locks and one scheduled continuation
/// per side; the steady state allocates nothing. An idle, drained connection holds no buffer. Protocols that parse
/// straight from the span stay on <see cref="Protocol"/>; this class costs nothing to those that do not use it.</para>
/// <para>The pipe owns the connection's pacing: do not call <see cref="IPushProducer.PauseProducing"/>,
/// <see cref="IConsumer.RegisterProducer"/> or <see cref="IConsumer.Write"/> on <see cref="Protocol.Transport"/>
/// yourself. <see cref="ConnectionMade"/>, <see cref="DataReceived"/> and <see cref="ConnectionLost"/> are sealed: the
/// pipe reports all of it.</para>
/// </remarks>
/// <example>
/// <code>
/// sealed class Echo : PipeProtocol
/// {
///     protected override async Task ExecuteAsync(IDuplexPipe pipe)
///     {
///         while (true)
///         {
///             var result = await pipe.Input.ReadAsync();
///             foreach (var segment in result.Buffer)
///             {
///                 pipe.Output.Write(segment.Span);
///             }
///
///             pipe.Input.AdvanceTo(result.Buffer.End);
///             var flush = await pipe.Output.FlushAsync();
///             if (result.IsCompleted || flush.IsCompleted)
///             {
///                 return;
///             }
///         }
///     }
/// }
/// </code>
/// </example>
public abstract class PipeProtocol : Protocol, IHalfCloseableProtocol
{
    /// <summary>The callback name failures of <see cref="ExecuteAsync"/> are logged under.</summary>
    internal const string ExecuteAsyncName = nameof(ExecuteAsync);

    private static readonly Action<object?> OnExecutedCallback = static state => ((PipeProtocol)state!).OnExecuted();

    private PipePump? _pump;
    private PipeScheduler? _scheduler;
    private Task? _execution;

    /// <summary>Where the pipes take their buffers: the reactor's pinned blocks unless set (tests substitute a counting pool).</summary>
    internal MemoryPool<byte>? MemoryPool { get; init; }

    /// <summary>
    /// Called once the connection is made, on the reactor thread: serve the connection through <paramref name="pipe"/>
    /// and return (or let the returned task complete) when done. Both ends of the pipe are then completed, what was
    /// written is sent, and the connection closes cleanly; a faulted task closes it with its exception as the reason.
    /// </summary>
    /// <param name="pipe">The connection: <see cref="IDuplexPipe.Input"/> is what the peer sends, <see cref="IDuplexPipe.Output"/> what it receives.</param>
    /// <returns>A task that completes when the handler is done with the connection.</returns>
    protected abstract Task ExecuteAsync(IDuplexPipe pipe);

    /// <summary>Creates the pipes and starts <see cref="ExecuteAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The transport is not one of a reactor's stream transports.</exception>
    public sealed override void ConnectionMade()
    {
        if (Transport is not IReactorTransport reactorTransport)
        {
            throw new InvalidOperationException($"{GetType().Name} needs a reactor's stream transport; {Transport} is not one.");
        }

        _scheduler = reactorTransport.Reactor.Streams.PipeScheduler;
        _pump = new PipePump(Transport, _scheduler, MemoryPool ?? reactorTransport.Reactor.Streams.PipeBlocks);
        _pump.Start();
        try
        {
            _execution = ExecuteAsync(_pump.Application)
                ?? throw new InvalidOperationException($"{GetType().Name}.ExecuteAsync returned null instead of a Task.");
        }
        catch (Exception e)
        {
            _execution = Task.FromException(e);
        }

        // Its end is handled on the loop, after the current callback (so never inside ConnectionMade). ExecuteSynchronously
        // only schedules, from whichever thread completed the task: an awaiter would hand this continuation to the thread
        // pool whenever a synchronization context is current (the reactor's own, while it runs).
        _execution.ContinueWith(
            static (_, state) => ((PipeProtocol)state!).ScheduleOnExecuted(),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Copies the bytes into the pipe's input.</summary>
    /// <param name="data">The bytes received.</param>
    public sealed override void DataReceived(ReadOnlySpan<byte> data) => _pump?.Receive(data);

    /// <summary>Completes the pipe: a pending read wakes completed (with the reason, unless the close was clean).</summary>
    /// <param name="reason">Why the connection closed.</param>
    public sealed override void ConnectionLost(Failure reason) => _pump?.Lost(reason);

    /// <summary>The peer's FIN: the input completes (<see cref="ReadResult.IsCompleted"/>); the output stays open.</summary>
    void IHalfCloseableProtocol.ReadConnectionLost() => _pump?.CompleteInput(null);

    /// <summary>This side's write half closed (<see cref="ITcpTransport.LoseWriteConnection"/>); nothing to do.</summary>
    void IHalfCloseableProtocol.WriteConnectionLost()
    {
    }

    private void ScheduleOnExecuted() => _scheduler!.Schedule(OnExecutedCallback, this);

    private void OnExecuted()
    {
        Exception? error = null;
        try
        {
            _execution!.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            error = e;
        }

        _pump!.ApplicationCompleted(error);
    }
}
