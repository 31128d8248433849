using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Resolve;

/// <summary>
/// Recognises IP literals the way Twisted's <c>isIPAddress</c>/<c>isIPv6Address</c> do: a host name is never mistaken
/// for an address, and <c>127.1</c> or <c>0x7f.0.0.1</c> (which <see cref="IPAddress.TryParse(string, out IPAddress)"/> accepts)
/// are not literals.
/// </summary>
internal static class IPLiteral
{
    /// <summary>
    /// Parses <paramref name="text"/> if it is an IPv4 dotted quad (four decimal numbers 0–255 without leading zeros,
    /// exactly three dots, as <c>inet_pton</c> requires) or an IPv6 literal (contains <c>:</c>; a scope such as
    /// <c>%eth0</c> is allowed, brackets and ports are not).
    /// </summary>
    internal static bool TryParse(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            // IPAddress.TryParse also accepts "[::1]:53"; a literal carries neither brackets nor a port.
            if (text.AsSpan().ContainsAny('[', ']') || !IPAddress.TryParse(text, out var parsed) ||
                parsed.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = parsed;
            return true;
        }

        return IsDottedQuad(text) && IPAddress.TryParse(text, out address);
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = 0;
        var digits = 0;
        var value = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || ++parts > 3)
                {
                    return false;
                }

                digits = 0;
                value = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                if (digits > 0 && value == 0)
                {
                    return false; // a leading zero: inet_pton refuses it, inet_aton would read octal
                }

                value = (value * 10) + (c - '0');
                if (++digits > 3 || value > 255)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        return parts == 3 && digits > 0;
    }
}
