namespace Reactor.Internal;

/// <summary>
/// Something open on the reactor that it must close when it shuts down (Twisted's <c>disconnectAll</c>): listening ports,
/// and, for streams, connections and connectors. The loop knows nothing else about it.
/// </summary>
/// <remarks>
/// A resource registers with <see cref="ReactorBase.TrackOpen"/> when it opens and unregisters with
/// <see cref="ReactorBase.TrackClosed"/> when it closes by itself; whatever is still registered when the reactor shuts
/// down (or is disposed without running) gets <see cref="CloseForShutdown"/>.
/// </remarks>
internal interface IOpenResource
{
    /// <summary>Closes at once, on the reactor thread: in the "during shutdown" phase, or when the reactor is disposed.</summary>
    void CloseForShutdown();
}
