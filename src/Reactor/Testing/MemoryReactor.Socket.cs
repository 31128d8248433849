using System.Net;
using System.Net.Sockets;

namespace Reactor.Testing;

/// <summary>The adopted-socket part of <see cref="MemoryReactor"/>: calls are recorded; no descriptor is touched.</summary>
public sealed partial class MemoryReactor
{
    private readonly List<AdoptCall> _adoptions = [];

    /// <summary>Every <see cref="IReactorSocket"/> call, in order.</summary>
    public IReadOnlyList<AdoptCall> Adoptions => _adoptions;

    /// <summary>
    /// Records the call and returns a port that listens on nothing (a <see cref="MemoryListeningPort"/> on the family's
    /// wildcard, or a <see cref="MemoryUnixPort"/> named <c>@adopted-N</c>); the factory starts.
    /// </summary>
    /// <param name="fileDescriptor">Recorded.</param>
    /// <param name="family">InterNetwork, InterNetworkV6 or Unix.</param>
    /// <param name="factory">The factory.</param>
    /// <returns>The port.</returns>
    public IListeningPort AdoptStreamPort(int fileDescriptor, AddressFamily family, Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        IListeningPort port = family switch
        {
            AddressFamily.Unix => new MemoryUnixPort(new UnixDomainSocketEndPoint($"\0adopted-{fileDescriptor}"), factory),
            AddressFamily.InterNetwork => new MemoryListeningPort(this, new IPEndPoint(IPAddress.Any, NextPort()), factory),
            AddressFamily.InterNetworkV6 => new MemoryListeningPort(this, new IPEndPoint(IPAddress.IPv6Any, NextPort()), factory),
            _ => throw new ArgumentException($"Cannot adopt a socket of family {family}.", nameof(family)),
        };
        factory.DoStart();
        _adoptions.Add(new AdoptCall(nameof(AdoptStreamPort), fileDescriptor, family, factory, null, port));
        return port;
    }

    /// <summary>Records the call; no connection (and so no protocol) is made.</summary>
    /// <param name="fileDescriptor">Recorded.</param>
    /// <param name="family">Recorded.</param>
    /// <param name="factory">Recorded.</param>
    public void AdoptStreamConnection(int fileDescriptor, AddressFamily family, Factory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _adoptions.Add(new AdoptCall(nameof(AdoptStreamConnection), fileDescriptor, family, factory, null, null));
    }

    /// <summary>Records the call and connects <paramref name="protocol"/> to a new <see cref="FakeDatagramTransport"/> (its <c>StartProtocol</c> runs).</summary>
    /// <param name="fileDescriptor">Recorded.</param>
    /// <param name="family">InterNetwork or InterNetworkV6.</param>
    /// <param name="protocol">The protocol.</param>
    /// <param name="maxPacketSize">The largest datagram delivered.</param>
    /// <returns>The fake transport.</returns>
    public IUdpTransport AdoptDatagramPort(int fileDescriptor, AddressFamily family, DatagramProtocol protocol, int maxPacketSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var any = family switch
        {
            AddressFamily.InterNetwork => IPAddress.Any,
            AddressFamily.InterNetworkV6 => IPAddress.IPv6Any,
            _ => throw new ArgumentException($"Cannot adopt a UDP socket of family {family}.", nameof(family)),
        };
        protocol.VerifyCanAttach();
        var transport = new FakeDatagramTransport(new IPEndPoint(any, _nextPort++), maxPacketSize);
        _adoptions.Add(new AdoptCall(nameof(AdoptDatagramPort), fileDescriptor, family, null, protocol, transport));
        transport.Attach(protocol);
        return transport;
    }
}
