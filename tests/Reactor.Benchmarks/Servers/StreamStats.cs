using System.Diagnostics;
using System.Globalization;

namespace Reactor.Benchmarks.Servers;

/// <summary>
/// The benchmark's own TCP servers' <c>--stats</c>, in the TcpEcho sample's words: "messages=&lt;n&gt; bytes=&lt;n&gt;
/// allocated_bytes=&lt;n&gt;" — the reads, the bytes they carried and the bytes the process allocated in its steady
/// state, a window that opens one second after the first read and closes at the stop. Thread-safe (Kestrel and the
/// raw socket server read on the thread pool).
/// </summary>
internal sealed class StreamStats
{
    private const int CheckInterval = 256;
    private long _messages;
    private long _bytes;
    private long _opensAt = long.MaxValue;
    private long _startMessages = -1;
    private long _startBytes;
    private long _startAllocated;
    private string? _line;

    /// <summary>Counts one read of <paramref name="bytes"/> bytes.</summary>
    public void Count(int bytes)
    {
        var messages = Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, bytes);
        if (messages == 1)
        {
            Volatile.Write(ref _opensAt, Stopwatch.GetTimestamp() + Stopwatch.Frequency);
        }
        else if ((messages % CheckInterval == 0 || messages < CheckInterval) && Volatile.Read(ref _startMessages) < 0 &&
                 Stopwatch.GetTimestamp() >= Volatile.Read(ref _opensAt))
        {
            lock (this)
            {
                if (_startMessages < 0)
                {
                    _startAllocated = GC.GetTotalAllocatedBytes(precise: true);
                    _startBytes = Interlocked.Read(ref _bytes);
                    Volatile.Write(ref _startMessages, Interlocked.Read(ref _messages));
                }
            }
        }
    }

    /// <summary>Closes the window (once) and returns the statistics line.</summary>
    public string Close()
    {
        lock (this)
        {
            if (_line is null)
            {
                var open = _startMessages >= 0;
                var allocated = open ? GC.GetTotalAllocatedBytes(precise: true) - _startAllocated : 0;
                var messages = open ? Interlocked.Read(ref _messages) - _startMessages : 0;
                var bytes = open ? Interlocked.Read(ref _bytes) - _startBytes : 0;
                _line = string.Create(CultureInfo.InvariantCulture, $"messages={messages} bytes={bytes} allocated_bytes={allocated}");
            }

            return _line;
        }
    }
}
