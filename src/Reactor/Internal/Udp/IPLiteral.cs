using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Reactor.Internal.Udp;

/// <summary>
/// Parses IP literals the way Twisted's <c>isIPAddress</c>/<c>isIPv6Address</c> do: an IPv4 address must be a full dotted
/// quad (so <c>"127.1"</c>, which the OS would accept, is not a literal), an IPv6 address must contain a colon.
/// Hostnames are never literals.
/// </summary>
internal static class IPLiteral
{
    internal static bool TryParse(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        if (text.Count(c => c == '.') != 3 || !text.All(c => c == '.' || char.IsAsciiDigit(c)))
        {
            return false;
        }

        return IPAddress.TryParse(text, out address);
    }
}
