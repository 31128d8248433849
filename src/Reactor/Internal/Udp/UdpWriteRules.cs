using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Resolve;

namespace Reactor.Internal.Udp;

/// <summary>
/// The checks every UDP write (and connect) makes before anything is sent, in one place so the real port and the test
/// double (<c>Reactor.Testing.FakeDatagramTransport</c>) refuse the same calls with the same exceptions (Twisted's
/// <c>udp.Port.write</c> and <c>connect</c> checks, with decision D6's real exceptions).
/// </summary>
internal static class UdpWriteRules
{
    /// <summary>The largest UDP payload over IPv4: 65,535 − 20 (IP header) − 8 (UDP header).</summary>
    internal const int MaxIPv4Datagram = 65_507;

    /// <summary>The largest UDP payload over IPv6 without jumbograms: 65,535 − 8 (UDP header).</summary>
    internal const int MaxIPv6Datagram = 65_527;

    internal static int MaxDatagram(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? MaxIPv6Datagram : MaxIPv4Datagram;

    /// <summary><c>host</c>:<c>port</c> as a destination: an IP literal or <c>"&lt;broadcast&gt;"</c>, never a hostname.</summary>
    internal static IPEndPoint ParseDestination(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        IPAddress address;
        if (host == "<broadcast>")
        {
            address = IPAddress.Broadcast;
        }
        else if (!IPLiteral.TryParse(host, out address!))
        {
            throw new InvalidAddressException(host, "Write only accepts IP addresses, not hostnames.");
        }

        return new IPEndPoint(address, port);
    }

    /// <summary>
    /// Checks a write's destination for a port of <paramref name="family"/>; returns <c>null</c> when the datagram goes to
    /// the connected peer, otherwise the destination.
    /// </summary>
    internal static IPEndPoint? CheckDestination(AddressFamily family, IPEndPoint? connected, IPEndPoint? destination)
    {
        if (connected is not null)
        {
            if (destination is null || destination.Equals(connected))
            {
                return null;
            }

            throw new InvalidAddressException(destination.ToString(), $"the port is connected to {connected}; Write may only send there.");
        }

        if (destination is null)
        {
            throw new InvalidOperationException("Write needs a destination on a port that is not connected.");
        }

        if (destination.AddressFamily != family)
        {
            throw new InvalidAddressException(
                destination.Address.ToString(),
                family == AddressFamily.InterNetwork
                    ? "an IPv4 port cannot write to an IPv6 address."
                    : "an IPv6 port cannot write to an IPv4 or broadcast address.");
        }

        if (destination.Port == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), destination, "The destination port must be 1-65535.");
        }

        return destination;
    }

    /// <summary>
    /// The peer <c>Connect(host, port)</c> names, for a port of <paramref name="family"/> that is connected to
    /// <paramref name="connected"/> (or not yet): an IP literal of the port's family, never a hostname.
    /// </summary>
    internal static IPEndPoint CheckConnect(AddressFamily family, IPEndPoint? connected, string host, int port)
    {
        if (connected is not null)
        {
            throw new InvalidOperationException("The port is already connected; connecting it again is not supported.");
        }

        if (!IPLiteral.TryParse(host, out var address))
        {
            throw new InvalidAddressException(host, "not an IPv4 or IPv6 address.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        if (address.AddressFamily != family)
        {
            throw new InvalidAddressException(host, $"the port is {family}, the address is not");
        }

        return new IPEndPoint(address, port);
    }

    /// <summary>224.0.0.0/4 or ff00::/8.</summary>
    internal static bool IsMulticast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? address.IsIPv6Multicast : (address.GetAddressBytes()[0] & 0xF0) == 0xE0;
}
