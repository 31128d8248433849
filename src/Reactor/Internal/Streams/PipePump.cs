using System.Buffers;
using System.IO.Pipelines;

namespace Reactor.Internal.Streams;

/// <summary>
/// Joins a transport to two <see cref="Pipe"/>s, the connection a <see cref="PipeProtocol"/>'s application sees: what
/// the transport receives is copied into <c>input</c>, what the application flushes into <c>output</c> is written to
/// the transport. No awaits of its own — it is driven by the transport's calls and by the continuations the pipes hand
/// the reactor's <see cref="LoopPipeScheduler"/> (stream-anchors.md §2.2 (3)). Reactor thread only.
/// </summary>
/// <remarks>
/// <para><b>Inbound.</b> <see cref="Receive"/> copies into the input pipe and flushes. A flush that does not complete at
/// once (the application has left <see cref="InputPauseThreshold"/> bytes unread) pauses the transport, which stops
/// reading; when the application has read down to <see cref="InputResumeThreshold"/> the pipe wakes the pump and the
/// transport reads again. The peer's FIN completes the pipe (<see cref="ReadResult.IsCompleted"/>); a lost connection
/// completes it with the reason.</para>
/// <para><b>Outbound.</b> The pump is the transport's streaming producer. It reads the output pipe and writes each
/// segment to the transport, then frees them; paused (the transport's buffer is above its high watermark), it stops at
/// the next segment and reads the pipe no more, so the pipe fills to its pause threshold (the transport's high
/// watermark) and the application's <see cref="PipeWriter.FlushAsync"/> waits. When the application completes its
/// writer, the pump sends the rest, unregisters and loses the connection.</para>
/// </remarks>
internal sealed class PipePump : IPushProducer
{
    /// <summary>Unread input above which the transport stops reading: one full read batch (16 × 64 KiB) fits below it.</summary>
    internal const int InputPauseThreshold = 1024 * 1024;

    /// <summary>Unread input at which a paused transport reads again.</summary>
    internal const int InputResumeThreshold = InputPauseThreshold / 2;

    /// <summary>Bytes per pipe segment: the size of the transport's write blocks (<see cref="BlockPool.BlockSize"/>).</summary>
    internal const int SegmentSize = BlockPool.BlockSize;

    private readonly ITransport _transport;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly Action _onInputFlushed;
    private readonly Action _onOutputReadable;
    private ValueTask<FlushResult> _inputFlush;
    private ValueTask<ReadResult> _outputRead;
    private bool _inputFlushPending;
    private bool _inputCompleted;
    private bool _applicationStoppedReading;
    private bool _outputReadPending;
    private bool _outputPaused;
    private bool _outputCompleted;
    private bool _sending;
    private bool _lost;

    internal PipePump(ITransport transport, PipeScheduler scheduler, MemoryPool<byte> pool)
    {
        _transport = transport;
        _input = new Pipe(Options(pool, scheduler, InputPauseThreshold, InputResumeThreshold));

        // The output pipe holds at most what the transport's buffer does before the application has to wait.
        var high = transport.HighWatermark;
        _output = new Pipe(Options(pool, scheduler, high, Math.Clamp(transport.LowWatermark, 1, high)));
        _onInputFlushed = OnInputFlushed;
        _onOutputReadable = OnOutputReadable;
        Application = new DuplexPipe(_input.Reader, _output.Writer);
    }

    /// <summary>The application's ends: it reads <see cref="IDuplexPipe.Input"/> and writes <see cref="IDuplexPipe.Output"/>.</summary>
    internal IDuplexPipe Application { get; }

    /// <summary>Registers with the transport and starts waiting for output.</summary>
    internal void Start()
    {
        _transport.RegisterProducer(this, streaming: true);
        Send();
    }

    // ---- Inbound --------------------------------------------------------------------------------------------------

    /// <summary>Copies <paramref name="data"/> (the transport's buffer, valid only now) into the input pipe.</summary>
    internal void Receive(ReadOnlySpan<byte> data)
    {
        if (_inputCompleted || _applicationStoppedReading)
        {
            // The application completed its reader: nobody will read this (Pipe would drop it too).
            return;
        }

        var writer = _input.Writer;
        while (!data.IsEmpty)
        {
            var span = writer.GetSpan();
            var length = Math.Min(span.Length, data.Length);
            data[..length].CopyTo(span);
            writer.Advance(length);
            data = data[length..];
        }

        if (!_inputFlushPending)
        {
            FlushInput();
        }
    }

    /// <summary>The peer's FIN, or the connection's end: the application's reads complete, with <paramref name="error"/> if any.</summary>
    internal void CompleteInput(Exception? error)
    {
        if (_inputCompleted)
        {
            return;
        }

        _inputCompleted = true;
        _input.Writer.Complete(error);
    }

    private void FlushInput()
    {
        var flush = _input.Writer.FlushAsync();
        if (flush.IsCompleted)
        {
            ObserveInputFlush(flush);
            return;
        }

        // The application is behind by the pause threshold: stop reading until it catches up (D19's inbound bound).
        _inputFlushPending = true;
        _inputFlush = flush;
        _transport.PauseProducing();
        flush.GetAwaiter().UnsafeOnCompleted(_onInputFlushed);
    }

    private void OnInputFlushed()
    {
        _inputFlushPending = false;
        var flush = _inputFlush;
        _inputFlush = default;
        ObserveInputFlush(flush);
        if (_inputCompleted || _lost)
        {
            return;
        }

        if (!_applicationStoppedReading && _input.Writer.UnflushedBytes > 0)
        {
            FlushInput();
            if (_inputFlushPending)
            {
                return;
            }
        }

        _transport.ResumeProducing();
    }

    private void ObserveInputFlush(ValueTask<FlushResult> flush)
    {
        bool readerCompleted;
        try
        {
            readerCompleted = flush.GetAwaiter().GetResult().IsCompleted;
        }
        catch (Exception)
        {
            // The application completed its reader with an exception of its own; either way it reads no more.
            readerCompleted = true;
        }

        if (readerCompleted)
        {
            _applicationStoppedReading = true;
        }
    }

    // ---- Outbound -------------------------------------------------------------------------------------------------

    /// <summary>Writes what the application has flushed, until the pipe is empty (then waits for it) or the transport pauses.</summary>
    private void Send()
    {
        if (_sending)
        {
            return;
        }

        // A resume from inside the transport's write (the pump writes, the buffer drains, the transport resumes it) must
        // not re-enter the loop below.
        _sending = true;
        try
        {
            while (!_outputPaused && !_outputCompleted && !_outputReadPending)
            {
                var read = _output.Reader.ReadAsync();
                if (!read.IsCompleted)
                {
                    _outputReadPending = true;
                    _outputRead = read;
                    read.GetAwaiter().UnsafeOnCompleted(_onOutputReadable);
                    return;
                }

                if (!Write(read))
                {
                    return;
                }
            }
        }
        finally
        {
            _sending = false;
        }
    }

    private void OnOutputReadable()
    {
        _outputReadPending = false;
        var read = _outputRead;
        _outputRead = default;
        if (_outputCompleted)
        {
            // The connection ended while the pump waited; the pending read was cancelled to get here.
            try
            {
                read.GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // Whatever the application completed its writer with no longer matters.
            }

            _output.Reader.Complete();
            return;
        }

        if (Write(read))
        {
            Send();
        }
    }

    /// <summary>Writes one read's segments to the transport and frees them; <c>false</c> once the output has ended.</summary>
    private bool Write(ValueTask<ReadResult> read)
    {
        ReadResult result;
        try
        {
            result = read.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            // The application completed its writer with an exception: the connection closes with it.
            FinishOutput();
            Fail("Output.Complete", e);
            return false;
        }

        var buffer = result.Buffer;
        long written = 0;
        foreach (var segment in buffer)
        {
            _transport.Write(segment.Span);
            written += segment.Length;
            if (_outputPaused)
            {
                // The write took the transport above its high watermark: the rest waits in the pipe (the next read
                // returns it at once), so the transport holds at most its watermark and one segment.
                break;
            }
        }

        var all = written == buffer.Length;
        _output.Reader.AdvanceTo(all ? buffer.End : buffer.GetPosition(written));
        if (all && result.IsCompleted)
        {
            // Everything the application wrote has been handed to the transport, which sends it before closing.
            FinishOutput();
            _transport.LoseConnection();
            return false;
        }

        return true;
    }

    private void FinishOutput()
    {
        _outputCompleted = true;
        _output.Reader.Complete();
        _transport.UnregisterProducer();
    }

    void IPushProducer.PauseProducing() => _outputPaused = true;

    void IPushProducer.ResumeProducing()
    {
        _outputPaused = false;
        Send();
    }

    void IProducer.StopProducing()
    {
        // The connection is closing; Lost, which follows, completes the pipes.
        _outputPaused = true;
    }

    // ---- The connection's end -------------------------------------------------------------------------------------

    /// <summary>
    /// The connection has closed: a pending read of the application's wakes completed (with <paramref name="reason"/>
    /// unless the close was clean), and its pending or next flush reports <see cref="FlushResult.IsCompleted"/>.
    /// </summary>
    internal void Lost(Failure reason)
    {
        _lost = true;
        CompleteInput(reason.Exception is ConnectionDoneException ? null : reason.Exception);
        if (_outputCompleted)
        {
            return;
        }

        _outputCompleted = true;
        if (_outputReadPending)
        {
            // A reader with a read pending cannot complete: wake the read, and complete from its continuation.
            _output.Reader.CancelPendingRead();
        }
        else
        {
            _output.Reader.Complete();
        }
    }

    /// <summary>The application is done (its task ended): its ends complete, so what it wrote is sent and the connection closes.</summary>
    internal void ApplicationCompleted(Exception? error)
    {
        _input.Reader.Complete();
        _output.Writer.Complete();
        if (error is not null)
        {
            Fail(PipeProtocol.ExecuteAsyncName, error);
        }
    }

    private void Fail(string callback, Exception error)
    {
        if (_lost)
        {
            return;
        }

        if (_transport is IReactorTransport reactorTransport)
        {
            reactorTransport.CloseWithFailure(callback, error);
        }
        else
        {
            _transport.AbortConnection();
        }
    }

    private static PipeOptions Options(MemoryPool<byte> pool, PipeScheduler scheduler, long pause, long resume) =>
        new(
            pool: pool,
            readerScheduler: scheduler,
            writerScheduler: scheduler,
            pauseWriterThreshold: pause,
            resumeWriterThreshold: resume,
            minimumSegmentSize: SegmentSize,
            useSynchronizationContext: false);

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
