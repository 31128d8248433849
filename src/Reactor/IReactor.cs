namespace Reactor;

/// <summary>
/// A reactor: the event loop and everything it offers. Create one with <see cref="ReactorFactory.Create"/>.
/// </summary>
/// <remarks>
/// Disposing a reactor that never ran, or that was crashed, releases its operating-system resources; a reactor that
/// ran and was stopped releases them itself when <see cref="IReactorCore.Run"/> returns.
/// </remarks>
public interface IReactor : IReactorCore, IReactorTime, IReactorThreads, IReactorUdp, IReactorMulticast, IReactorTcp, IReactorUnix, IReactorSocket, IReactorResolve, IDisposable
{
    /// <summary>Which backend this reactor multiplexes I/O with.</summary>
    ReactorBackend Backend { get; }
}
