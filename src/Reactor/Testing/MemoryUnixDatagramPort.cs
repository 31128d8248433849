using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Unix;

namespace Reactor.Testing;

/// <summary>
/// The <see cref="IUnixDatagramTransport"/> a <see cref="MemoryReactor"/> returns: writes are recorded in
/// <see cref="Written"/>, and <see cref="Deliver"/> hands the protocol a datagram.
/// </summary>
public sealed class MemoryUnixDatagramPort : IUnixDatagramTransport
{
    private readonly List<(byte[] Datagram, string? Destination)> _written = [];
    private readonly UnixDatagramProtocol _protocol;
    private Deferred<object?>? _stopped;

    internal MemoryUnixDatagramPort(UnixDatagramProtocol protocol, UnixDomainSocketEndPoint local, UnixDomainSocketEndPoint? peer, int maxPacketSize)
    {
        _protocol = protocol;
        Host = local;
        Peer = peer;
        MaxPacketSize = maxPacketSize;
        protocol.Attach(this);
        protocol.StartProtocol();
    }

    /// <summary>The datagrams written, with their destination path (null: the connected peer), in order.</summary>
    public IReadOnlyList<(byte[] Datagram, string? Destination)> Written => _written;

    /// <summary>Whether <see cref="StopListening"/> has been called.</summary>
    public bool Stopped => _stopped is not null;

    private UnixDomainSocketEndPoint Host { get; }

    private UnixDomainSocketEndPoint? Peer { get; }

    /// <inheritdoc />
    public int MaxPacketSize { get; }

    /// <inheritdoc />
    public long DroppedDatagrams { get; private set; }

    /// <inheritdoc />
    public UnixDomainSocketEndPoint GetHost() => Host;

    EndPoint IListeningPort.GetHost() => Host;

    /// <inheritdoc />
    public UnixDomainSocketEndPoint? GetPeer() => Peer;

    /// <inheritdoc />
    [SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "Twisted's write(datagram, addr=None): the other overloads take the destination in another form, not more options.")]
    public void Write(ReadOnlySpan<byte> datagram, string? path = null)
    {
        VerifyOpen();
        if (path is null && Peer is null)
        {
            throw new InvalidOperationException("This UNIX datagram port is not connected: a write needs a destination path.");
        }

        _written.Add((datagram.ToArray(), path is null ? null : UnixPath.Parse(path).Text));
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> datagram, UnixDomainSocketEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        VerifyOpen();
        _written.Add((datagram.ToArray(), UnixPath.Display(destination)));
    }

    /// <summary>Delivers a datagram to the protocol as if it had arrived (dropped and counted past maxPacketSize, decision D7 in docs/decisions.md).</summary>
    /// <param name="datagram">The datagram.</param>
    /// <param name="sender">The sender path, or null for an unbound sender.</param>
    public void Deliver(ReadOnlySpan<byte> datagram, string? sender)
    {
        VerifyOpen();
        if (datagram.Length > MaxPacketSize)
        {
            DroppedDatagrams++;
            return;
        }

        _protocol.DatagramReceived(datagram, sender is null ? null : UnixPath.Parse(sender).EndPoint);
    }

    /// <inheritdoc />
    public Deferred<object?> StopListening()
    {
        if (_stopped is null)
        {
            _stopped = new Deferred<object?>();
            _protocol.Detach();
            _protocol.StopProtocol();
            _stopped.Callback(null);
        }

        return _stopped;
    }

    private void VerifyOpen()
    {
        if (_stopped is not null)
        {
            throw new InvalidOperationException("This UNIX datagram port was stopped.");
        }
    }
}
