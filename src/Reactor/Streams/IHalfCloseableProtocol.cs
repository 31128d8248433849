namespace Reactor;

/// <summary>
/// Implemented by a <see cref="Protocol"/> that wants to hear about half-closed connections instead of having them
/// closed whole (Twisted's <c>IHalfCloseableProtocol</c>). Both notifications come after the callback that caused them
/// has returned, never from inside a transport call.
/// </summary>
public interface IHalfCloseableProtocol
{
    /// <summary>
    /// The peer has finished sending (its FIN arrived). Nothing more will be received, but the connection stays open for
    /// writing until the protocol calls <see cref="ITransport.LoseConnection"/>.
    /// </summary>
    void ReadConnectionLost();

    /// <summary>
    /// This side's half-close (<see cref="ITcpTransport.LoseWriteConnection"/>) has happened: the buffered data was sent,
    /// then a FIN. Further writes are dropped; data can still be received.
    /// </summary>
    void WriteConnectionLost();
}
