namespace Reactor;

/// <summary>How TCP connections and ports read, buffer and accept: <see cref="ReactorOptions.Tcp"/>.</summary>
/// <example>
/// <code>
/// var reactor = ReactorFactory.Create(new ReactorOptions { Tcp = { HighWatermark = 256 * 1024 } });
/// </code>
/// </example>
public sealed class TcpOptions
{
    /// <summary>
    /// The most reads a connection makes each time it becomes readable (each up to 64 KiB), before the loop moves on to
    /// other connections and timers. Default 16 (1 MiB). A short read ends the turn early.
    /// </summary>
    public int ReadBudgetReads { get; set; } = 16;

    /// <summary>The default <see cref="ITransport.HighWatermark"/>: above this many buffered bytes a streaming producer is paused. Default 65,536.</summary>
    public int HighWatermark { get; set; } = 64 * 1024;

    /// <summary>The default <see cref="ITransport.LowWatermark"/>: at or below this many buffered bytes a paused producer is resumed. Default 16,384.</summary>
    public int LowWatermark { get; set; } = 16 * 1024;

    /// <summary>
    /// The hard cap on one connection's write buffer (bytes written and not yet taken by the kernel). A write that would
    /// take the buffer past it is dropped and the connection is aborted with a <see cref="WriteBufferOverflowException"/>
    /// (counted, logged: decision D62 in docs/decisions.md) — the bound for a protocol that keeps writing to a peer that does not read, past
    /// <see cref="HighWatermark"/> and without a producer. Default 64 MiB; at least <see cref="HighWatermark"/>.
    /// </summary>
    public long MaxWriteBuffer { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The most connections one listening port holds open at once; <c>null</c> (the default) for no cap but the
    /// descriptor limit (decision D22 in docs/decisions.md). At the cap the port stops accepting — the connections that arrive wait in the
    /// kernel's backlog (and past it the kernel refuses them) — and accepts again as soon as one of its connections
    /// closes (decision D63 in docs/decisions.md). To close the extra connections at once instead, or to answer them first, wrap the factory
    /// in a <see cref="Protocols.LimitTotalConnectionsFactory"/>.
    /// </summary>
    public int? MaxConnectionsPerPort { get; set; }

    /// <summary>
    /// The most connections a listening port accepts at the first readiness; the number then adapts as Twisted's does
    /// (+20 after a batch that took them all, down to what one batch found otherwise), never above
    /// <see cref="MaxAcceptsPerWake"/>. Default 100.
    /// </summary>
    public int InitialAcceptsPerWake { get; set; } = 100;

    /// <summary>The upper bound of the adaptive accept batch, so one busy port cannot starve the loop. Default 1,000.</summary>
    public int MaxAcceptsPerWake { get; set; } = 1000;

    /// <summary>Whether new connections set TCP_NODELAY (see <see cref="ITcpTransport.NoDelay"/>). Default <c>true</c>.</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>Throws if a value is out of range (called by <see cref="ReactorFactory.Create"/>).</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBudgetReads, 1, "Tcp.ReadBudgetReads");
        ArgumentOutOfRangeException.ThrowIfLessThan(HighWatermark, 1, "Tcp.HighWatermark");
        ArgumentOutOfRangeException.ThrowIfNegative(LowWatermark, "Tcp.LowWatermark");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LowWatermark, HighWatermark, "Tcp.LowWatermark");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWriteBuffer, HighWatermark, "Tcp.MaxWriteBuffer");
        if (MaxConnectionsPerPort is { } cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, 1, "Tcp.MaxConnectionsPerPort");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(InitialAcceptsPerWake, 1, "Tcp.InitialAcceptsPerWake");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAcceptsPerWake, InitialAcceptsPerWake, "Tcp.MaxAcceptsPerWake");
    }
}
