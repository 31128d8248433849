namespace Reactor;

/// <summary>
/// How UDP ports read and queue: <see cref="ReactorOptions.Udp"/>. The defaults suit a server; every bound here is a
/// bound on work per wake-up or on memory per port.
/// </summary>
/// <example>
/// <code>
/// var reactor = ReactorFactory.Create(new ReactorOptions { Udp = { MaxPendingWrites = 4096 } });
/// </code>
/// </example>
public sealed class UdpOptions
{
    /// <summary>
    /// The most datagrams a UDP port reads each time it becomes readable, before the loop moves on to timers and other
    /// sockets (zero-length datagrams count). Default 256. What is left is read on the next iteration.
    /// </summary>
    public int ReadBudgetDatagrams { get; set; } = 256;

    /// <summary>The most payload bytes a UDP port reads each time it becomes readable (Twisted's 256 KiB <c>maxThroughput</c>). Default 262,144.</summary>
    public int ReadBudgetBytes { get; set; } = 256 * 1024;

    /// <summary>How many datagrams a UDP port queues while the socket's send buffer is full; past that they are dropped and counted. Default 1,024.</summary>
    public int MaxPendingWrites { get; set; } = 1024;

    /// <summary>How many bytes a UDP port queues while the socket's send buffer is full. Default 4 MiB.</summary>
    public long MaxPendingWriteBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Epoll backend: send runs of equal-size datagrams to one peer (written while a receive batch is dispatched, e.g.
    /// an echo's replies) as one UDP GSO message, where the kernel supports it (Linux 4.18+). On by default; the kernel
    /// splits them back into the same datagrams, so peers see no difference.
    /// </summary>
    public bool SegmentationOffload { get; set; } = true;

    /// <summary>
    /// Epoll backend: let the kernel coalesce a burst of datagrams from one sender into one read (UDP GRO, Linux 5.0+);
    /// the reactor splits it back into datagrams before <c>DatagramReceived</c>. On by default.
    /// </summary>
    public bool ReceiveOffload { get; set; } = true;

    /// <summary>Throws if a value is out of range (called by <see cref="ReactorFactory.Create"/>).</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBudgetDatagrams, 1, "Udp.ReadBudgetDatagrams");
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBudgetBytes, 1, "Udp.ReadBudgetBytes");
        ArgumentOutOfRangeException.ThrowIfNegative(MaxPendingWrites, "Udp.MaxPendingWrites");
        ArgumentOutOfRangeException.ThrowIfNegative(MaxPendingWriteBytes, "Udp.MaxPendingWriteBytes");
    }
}
