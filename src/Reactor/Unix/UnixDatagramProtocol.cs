using System.Net.Sockets;

namespace Reactor;

/// <summary>
/// A protocol for UNIX datagram sockets (<see cref="IReactorUnixDatagram.ListenUnixDatagram"/>,
/// <see cref="IReactorUnixDatagram.ConnectUnixDatagram"/>): Twisted's <c>DatagramProtocol</c> as used by
/// <c>listenUNIXDatagram</c>, with the sender typed as a UNIX address instead of <see cref="DatagramProtocol"/>'s
/// <see cref="System.Net.IPEndPoint"/> (decision D67 in docs/decisions.md).
/// </summary>
public class UnixDatagramProtocol
{
    /// <summary>The port this protocol is attached to, between <see cref="StartProtocol"/> and <see cref="StopProtocol"/>.</summary>
    public IUnixDatagramTransport? Transport { get; private set; }

    /// <summary>Whether starting and stopping the protocol is logged (Twisted's <c>noisy</c>).</summary>
    public bool Noisy { get; set; } = true;

    /// <summary>The prefix of the port's log lines.</summary>
    public virtual string LogPrefix => GetType().Name;

    /// <summary>Called when the port starts, before any datagram is delivered.</summary>
    public virtual void StartProtocol()
    {
    }

    /// <summary>Called once when the port has closed.</summary>
    public virtual void StopProtocol()
    {
    }

    /// <summary>
    /// A datagram arrived. <paramref name="sender"/> is the sending socket's address, or null when it is unbound
    /// (it cannot be answered). The span is only valid during the call.
    /// </summary>
    /// <param name="datagram">The datagram, never longer than the port's maxPacketSize (decision D7 in docs/decisions.md).</param>
    /// <param name="sender">The sender's path (<c>@name</c> for an abstract name), or null for an unbound sender.</param>
    public virtual void DatagramReceived(ReadOnlySpan<byte> datagram, UnixDomainSocketEndPoint? sender)
    {
    }

    /// <summary>A connected port's peer is gone: a write to it was refused (Twisted's <c>connectionRefused</c>).</summary>
    public virtual void ConnectionRefused()
    {
    }

    /// <inheritdoc />
    public override string ToString() => $"<{GetType().Name}>";

    internal void Attach(IUnixDatagramTransport transport)
    {
        if (Transport is not null)
        {
            throw new InvalidOperationException(
                $"{this} is already listening on a port; a protocol instance listens on one port at a time.");
        }

        Transport = transport;
    }

    internal void Detach() => Transport = null;
}
