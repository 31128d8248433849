using System.Net;

namespace Reactor.Tests.Streams;

/// <summary>How the peer's reading has ended so far.</summary>
public enum PeerEnd
{
    /// <summary>Nothing ended it yet.</summary>
    Open,

    /// <summary>It read end of stream: the transport sent a FIN (a clean close, or a half-close).</summary>
    EndOfStream,

    /// <summary>It read a reset: the transport aborted.</summary>
    Reset,
}

/// <summary>
/// What <see cref="StreamTransportSpec"/> drives: the other end of one connection to the protocol under test, and the
/// loop that carries data between them. One implementation plays it with a <c>FakeStreamTransport</c>, another with a
/// real socket on loopback and a reactor iterated on the test's thread. Everything runs on the test's thread, which is
/// the reactor thread; every wait is bounded.
/// </summary>
public abstract class StreamPeer : IDisposable
{
    /// <summary>How long <see cref="RunUntil"/> waits before it fails the test.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>The transport the protocol under test was connected to.</summary>
    public abstract ITransport Transport { get; }

    /// <summary>What the transport's <see cref="ITransport.GetHost"/> must answer.</summary>
    public abstract EndPoint ExpectedHost { get; }

    /// <summary>What the transport's <see cref="ITransport.GetPeer"/> must answer.</summary>
    public abstract EndPoint ExpectedPeer { get; }

    /// <summary>Every byte the peer has read so far, in order.</summary>
    public abstract IReadOnlyList<byte> Received { get; }

    /// <summary>How the peer's reading has ended (read while it reads).</summary>
    public abstract PeerEnd End { get; }

    /// <summary>The peer sends <paramref name="data"/> (running the loop while the kernel cannot take it all).</summary>
    public abstract void Write(ReadOnlySpan<byte> data);

    /// <summary>The peer closes its sending side cleanly (a FIN); it goes on reading.</summary>
    public abstract void Close();

    /// <summary>The peer resets the connection (an RST); it reads nothing more.</summary>
    public abstract void Reset();

    /// <summary>The peer stops reading, so what the transport writes piles up (in the kernel, then in the transport).</summary>
    public abstract void StopReading();

    /// <summary>The peer reads again, everything that arrives, as the loop runs.</summary>
    public abstract void StartReading();

    /// <summary>Runs the loop (and the peer's reading) until <paramref name="condition"/> holds; fails the test after <see cref="Deadline"/>.</summary>
    public abstract void RunUntil(Func<bool> condition, string what);

    /// <summary>Runs the loop a little while, so that what must not happen would have had its chance.</summary>
    public abstract void Settle();

    /// <summary>Closes what the fixture opened.</summary>
    public virtual void Dispose()
    {
    }

    /// <summary>The failure <see cref="RunUntil"/> reports.</summary>
    protected static Exception TimedOut(string what) => new Xunit.Sdk.XunitException($"Gave up waiting until {what}.");
}
