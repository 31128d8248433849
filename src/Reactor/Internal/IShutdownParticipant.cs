namespace Reactor.Internal;

/// <summary>
/// Something the reactor closes when it shuts down (Twisted's <c>disconnectAll</c>): listening ports.
/// Registered with <see cref="ReactorBase.TrackOpen"/> while open.
/// </summary>
internal interface IShutdownParticipant
{
    /// <summary>Closes at once, on the reactor thread, during the "during shutdown" phase.</summary>
    void CloseForShutdown();
}
