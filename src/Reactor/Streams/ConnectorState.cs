namespace Reactor;

/// <summary>Where an <see cref="IConnector"/> is (Twisted's connector <c>state</c>).</summary>
public enum ConnectorState
{
    /// <summary>Not connecting and not connected: a new attempt may start (<see cref="IConnector.Connect"/>).</summary>
    Disconnected,

    /// <summary>An attempt is under way (resolving the host name or waiting for the handshake).</summary>
    Connecting,

    /// <summary>The connection is established.</summary>
    Connected,
}
