namespace Reactor.Internal.Streams;

/// <summary>
/// A connector that can say which reactor it belongs to. A <see cref="ReconnectingClientFactory"/> whose
/// <see cref="ReconnectingClientFactory.Clock"/> is <c>null</c> schedules its retries there: a retry calls the
/// connector's <see cref="IConnector.Connect"/>, which must run on that reactor's thread, so the connector's own reactor
/// is the only clock that is right by default (Twisted falls back to the global reactor, which Reactor does not have).
/// </summary>
internal interface IReactorBoundConnector
{
    /// <summary>The time of the reactor this connector belongs to.</summary>
    IReactorTime Clock { get; }
}
