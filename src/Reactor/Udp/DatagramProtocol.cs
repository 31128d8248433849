using System.Net;

namespace Reactor;

/// <summary>
/// The base class for UDP protocols (Twisted's <c>DatagramProtocol</c>): subclass it, override
/// <see cref="DatagramReceived"/>, and listen with <see cref="IReactorUdp.ListenUdp"/>.
/// </summary>
/// <remarks>
/// <para>Every method is called on the reactor thread. An exception thrown from one is logged and the reactor goes on
/// (for <see cref="DatagramReceived"/>: with the next datagram).</para>
/// <para>One instance can listen on one port at a time; after that port stops it can listen again, and
/// <see cref="StartProtocol"/> runs again (Twisted's start/stop counting).</para>
/// </remarks>
/// <example>
/// <code>
/// sealed class Echo : DatagramProtocol
/// {
///     public override void DatagramReceived(ReadOnlySpan&lt;byte&gt; datagram, IPEndPoint sender) =>
///         Transport!.Write(datagram, sender);
/// }
/// </code>
/// </example>
public class DatagramProtocol
{
    /// <summary>The port this protocol listens on, or <c>null</c> when it is not listening (also inside <see cref="StopProtocol"/>).</summary>
    public IUdpTransport? Transport { get; private set; }

    /// <summary>Whether starting and stopping are logged ("Starting protocol …"); <c>true</c> by default, as in Twisted.</summary>
    public bool Noisy { get; set; } = true;

    /// <summary>The name used in log messages, e.g. "<c>Echo starting on 9999</c>". The class name by default.</summary>
    public virtual string LogPrefix => GetType().Name;

    /// <summary>Called once the port is bound, before any datagram is delivered. <see cref="Transport"/> is set.</summary>
    public virtual void StartProtocol()
    {
    }

    /// <summary>Called once the port has closed; <see cref="Transport"/> is already <c>null</c>.</summary>
    public virtual void StopProtocol()
    {
    }

    /// <summary>
    /// Called for each datagram received.
    /// </summary>
    /// <param name="datagram">
    /// The payload, a view of the reactor's receive buffer that is <b>valid only during this call</b>: the buffer is
    /// reused for the next datagram. To keep the data, copy it (<c>datagram.ToArray()</c>, or into your own buffer).
    /// </param>
    /// <param name="sender">
    /// Who sent it. The reactor reuses one instance per peer so receiving allocates nothing: keep it if you like, but do not
    /// modify it.
    /// </param>
    public virtual void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender)
    {
    }

    /// <summary>
    /// Called on a connected port when an earlier write was answered with ICMP "port unreachable": no one is listening
    /// at the connected address (the notice is best-effort: the network may not send it, and Linux rate-limits it).
    /// </summary>
    public virtual void ConnectionRefused()
    {
    }

    /// <summary>Called when the socket's send buffer filled up and writes started being queued.</summary>
    public virtual void PauseWriting()
    {
    }

    /// <summary>Called when the queue of pending writes has drained.</summary>
    public virtual void ResumeWriting()
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name}>";

    /// <summary>Attaches the port (Twisted's <c>makeConnection</c>); the caller then runs <see cref="StartProtocol"/>.</summary>
    internal void Attach(IUdpTransport transport)
    {
        VerifyCanAttach();
        Transport = transport;
    }

    /// <summary>Detaches the port (Twisted's <c>doStop</c>); the caller then runs <see cref="StopProtocol"/>.</summary>
    internal void Detach() => Transport = null;

    /// <summary>
    /// Throws unless the protocol could listen now. One port at a time keeps Twisted's start/stop counting at 0 or 1,
    /// so every attach starts the protocol and every detach stops it.
    /// </summary>
    internal void VerifyCanAttach()
    {
        if (Transport is not null)
        {
            throw new InvalidOperationException(
                $"{this} is already listening on a port; a protocol instance listens on one port at a time.");
        }
    }
}
