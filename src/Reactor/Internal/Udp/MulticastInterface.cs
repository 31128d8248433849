using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Reactor.Internal.Resolve;

namespace Reactor.Internal.Udp;

/// <summary>
/// A network interface as a multicast call names it (decision D11): <c>""</c> for "let the kernel choose", an IP literal
/// (the interface that has that address), a number (an interface index), or a name such as <c>lo</c> or <c>eth0</c>.
/// </summary>
internal readonly record struct MulticastInterface(IPAddress? Address, int Index, string Text)
{
    internal static MulticastInterface Any { get; } = new(null, 0, "");

    internal bool IsAny => Address is null && Index == 0;

    /// <summary>Parses the forms that need no lookup over the network; <c>false</c> for anything else (a hostname to resolve).</summary>
    internal static bool TryParse(string text, out MulticastInterface result)
    {
        if (text.Length == 0)
        {
            result = Any;
            return true;
        }

        if (IPLiteral.TryParse(text, out var address))
        {
            result = new MulticastInterface(address, 0, text);
            return true;
        }

        if (text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            result = new MulticastInterface(null, index, text);
            return true;
        }

        if (TryFindIndexByName(text, out index))
        {
            result = new MulticastInterface(null, index, text);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>Whether <paramref name="text"/> looks like an interface name rather than a hostname (no dot).</summary>
    internal static bool LooksLikeInterfaceName(string text) => !text.Contains('.', StringComparison.Ordinal);

    /// <summary>The interface index, looking it up by address when the interface was given as one; 0 for "any".</summary>
    internal bool TryGetIndex(out int index)
    {
        if (Address is null)
        {
            index = Index;
            return true;
        }

        if (Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any))
        {
            index = 0;
            return true;
        }

        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.Equals(Address) && TryGetIndex(nic, out index))
                {
                    return true;
                }
            }
        }

        index = 0;
        return false;
    }

    public override string ToString() => Text.Length == 0 ? "any" : Text;

    private static bool TryFindIndexByName(string name, out int index)
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (string.Equals(nic.Name, name, StringComparison.Ordinal) && TryGetIndex(nic, out index))
            {
                return true;
            }
        }

        index = 0;
        return false;
    }

    private static bool TryGetIndex(NetworkInterface nic, out int index)
    {
        var properties = nic.GetIPProperties();
        try
        {
            if (properties.GetIPv6Properties() is { } v6)
            {
                index = v6.Index;
                return true;
            }
        }
        catch (NetworkInformationException)
        {
        }

        try
        {
            if (properties.GetIPv4Properties() is { } v4)
            {
                index = v4.Index;
                return true;
            }
        }
        catch (NetworkInformationException)
        {
        }

        index = 0;
        return false;
    }
}
