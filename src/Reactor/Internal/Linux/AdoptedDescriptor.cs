using System.Net.Sockets;

namespace Reactor.Internal.Linux;

/// <summary>
/// A socket descriptor handed to the reactor by someone else (Twisted's <c>IReactorSocket</c>; systemd's
/// <c>LISTEN_FDS</c>): checked to be the kind of socket the caller says, then duplicated — close-on-exec and
/// non-blocking — so the reactor owns a descriptor of its own and the caller keeps (and may close) the original.
/// </summary>
internal static class AdoptedDescriptor
{
    /// <summary>The duplicate, for a socket of <paramref name="family"/> and <paramref name="type"/> (listening or not).</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="ArgumentException">The descriptor is not open, not a socket, or not that kind of socket.</exception>
    internal static int Duplicate(int descriptor, AddressFamily family, SocketType type, bool listening)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Adopting a socket descriptor is supported on Linux only.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(descriptor);
        var wantedDomain = family switch
        {
            AddressFamily.InterNetwork => Interop.AF_INET,
            AddressFamily.InterNetworkV6 => Interop.AF_INET6,
            AddressFamily.Unix => Interop.AF_UNIX,
            _ => throw new ArgumentException($"Cannot adopt a socket of family {family}: only InterNetwork, InterNetworkV6 and Unix.", nameof(family)),
        };
        var wantedType = type == SocketType.Stream ? Interop.SOCK_STREAM : Interop.SOCK_DGRAM;
        if (Interop.GetSocketOption(descriptor, Interop.SOL_SOCKET, Interop.SO_DOMAIN, out var domain) != 0 ||
            Interop.GetSocketOption(descriptor, Interop.SOL_SOCKET, Interop.SO_TYPE, out var actualType) != 0)
        {
            var errno = Interop.LastError;
            throw new ArgumentException($"Descriptor {descriptor} is not a socket this process can adopt: {Interop.ErrorMessage(errno)}.", nameof(descriptor));
        }

        if (domain != wantedDomain || actualType != wantedType)
        {
            throw new ArgumentException(
                $"Descriptor {descriptor} is a {Describe(domain, actualType)} socket, not the {Describe(wantedDomain, wantedType)} socket asked for.", nameof(descriptor));
        }

        if (type == SocketType.Stream)
        {
            var accepting = Interop.GetSocketOption(descriptor, Interop.SOL_SOCKET, Interop.SO_ACCEPTCONN, out var value) == 0 && value != 0;
            if (accepting != listening)
            {
                throw new ArgumentException(
                    listening ? $"Descriptor {descriptor} is not listening (call listen() before handing it over)." : $"Descriptor {descriptor} is a listening socket, not a connection.",
                    nameof(descriptor));
            }
        }

        var copy = Interop.DuplicateNonBlocking(descriptor);
        if (copy < 0)
        {
            var errno = Interop.LastError;
            throw new SocketException((int)Errno.ToSocketError(errno), $"Could not duplicate descriptor {descriptor}: {Interop.ErrorMessage(errno)}");
        }

        return copy;
    }

    /// <summary>Closes a descriptor the caller owns (an adopted endpoint's original, once adopted).</summary>
    internal static void Close(int descriptor) => Interop.close(descriptor);

    private static string Describe(int domain, int type) =>
        (domain switch
        {
            Interop.AF_INET => "IPv4",
            Interop.AF_INET6 => "IPv6",
            Interop.AF_UNIX => "UNIX",
            _ => $"family-{domain}",
        }) + (type switch
        {
            Interop.SOCK_STREAM => " stream",
            Interop.SOCK_DGRAM => " datagram",
            _ => $" type-{type}",
        });
}
