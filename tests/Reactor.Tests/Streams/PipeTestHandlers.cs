using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Reactor.Tests.Streams;

/// <summary>A pipe protocol whose handler is the test's function; it can be given a counting pool.</summary>
internal sealed class ScriptedPipeProtocol(Func<IDuplexPipe, Task> execute) : PipeProtocol
{
    public IDuplexPipe? Pipe { get; private set; }

    internal static ScriptedPipeProtocol Create(Func<IDuplexPipe, Task> execute, MemoryPool<byte>? pool = null) =>
        pool is null ? new ScriptedPipeProtocol(execute) : new ScriptedPipeProtocol(execute) { MemoryPool = pool };

    protected override Task ExecuteAsync(IDuplexPipe pipe)
    {
        Pipe = pipe;
        return execute(pipe);
    }
}

/// <summary>A pipe echo server that checks, after every await, that it was resumed on the reactor thread.</summary>
internal sealed class CheckedPipeEcho(IReactor reactor) : PipeProtocol
{
    public int AwaitsOffTheReactorThread { get; private set; }

    public int Awaits { get; private set; }

    public Exception? ReadFailure { get; private set; }

    protected override async Task ExecuteAsync(IDuplexPipe pipe)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await pipe.Input.ReadAsync();
            }
            catch (Exception e)
            {
                ReadFailure = e;
                throw;
            }

            Check();
            foreach (var segment in result.Buffer)
            {
                pipe.Output.Write(segment.Span);
            }

            pipe.Input.AdvanceTo(result.Buffer.End);
            var flush = await pipe.Output.FlushAsync();
            Check();
            if (result.IsCompleted || flush.IsCompleted)
            {
                return;
            }
        }
    }

    private void Check()
    {
        Awaits++;
        if (!reactor.IsInReactorThread)
        {
            AwaitsOffTheReactorThread++;
        }
    }
}

/// <summary>Counts what the peer sends until its FIN, then answers with the count.</summary>
internal sealed class ByteCounter : PipeProtocol
{
    protected override async Task ExecuteAsync(IDuplexPipe pipe)
    {
        long total = 0;
        while (true)
        {
            var result = await pipe.Input.ReadAsync();
            total += result.Buffer.Length;
            pipe.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await pipe.Output.WriteAsync(Encoding.ASCII.GetBytes($"{total} bytes\n"));
    }
}

/// <summary>A memory pool that counts the blocks it has lent and not had back.</summary>
internal sealed class CountingMemoryPool : MemoryPool<byte>
{
    private int _outstanding;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public int Rented { get; private set; }

    public override int MaxBufferSize => 1024 * 1024;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        Interlocked.Increment(ref _outstanding);
        Rented++;
        return new Block(this, new byte[minBufferSize < 0 ? 4096 : minBufferSize]);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(CountingMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private bool _returned;

        public Memory<byte> Memory => array;

        public void Dispose()
        {
            if (!_returned)
            {
                _returned = true;
                Interlocked.Decrement(ref pool._outstanding);
            }
        }
    }
}
