namespace Reactor.Internal.Streams;

/// <summary>
/// What a <see cref="PipeProtocol"/> needs from its transport beyond <see cref="ITransport"/>: the reactor it belongs to
/// (whose <see cref="StreamLoop.PipeScheduler"/> runs the pipes) and a way to close with a failure of the protocol's
/// own, logged and kept as the close reason as if a callback had thrown it (D16).
/// </summary>
internal interface IReactorTransport
{
    /// <summary>The reactor the connection belongs to.</summary>
    ReactorBase Reactor { get; }

    /// <summary>
    /// Logs <paramref name="exception"/> as an unhandled error in the protocol's <paramref name="callback"/> and closes
    /// the connection with it as the reason, discarding what is buffered (as an exception from <c>DataReceived</c> does).
    /// </summary>
    void CloseWithFailure(string callback, Exception exception);
}
