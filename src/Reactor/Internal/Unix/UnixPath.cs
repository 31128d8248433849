using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reactor.Internal.Unix;

/// <summary>
/// A UNIX socket path as the public API takes it: a file path, or a Linux abstract name written <c>@name</c> (or, as in
/// Twisted, <c>"\0name"</c>). Validates before any socket exists and converts to .NET's
/// <see cref="UnixDomainSocketEndPoint"/> (whose abstract form is <c>"\0name"</c>, shown as <c>@name</c>).
/// </summary>
internal readonly struct UnixPath
{
    /// <summary><c>sun_path</c>'s size on Linux: at most this many bytes of path.</summary>
    internal const int MaxBytes = 108;

    private UnixPath(string text, UnixDomainSocketEndPoint endpoint, bool isAbstract)
    {
        Text = text;
        EndPoint = endpoint;
        IsAbstract = isAbstract;
    }

    /// <summary>What the caller wrote; an abstract name as <c>@name</c>.</summary>
    internal string Text { get; }

    internal UnixDomainSocketEndPoint EndPoint { get; }

    /// <summary>A Linux abstract name: no file, no mode, no lock file.</summary>
    internal bool IsAbstract { get; }

    /// <summary>The file system path (only when not <see cref="IsAbstract"/>).</summary>
    internal string FilePath => Text;

    /// <summary>Validates and converts <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="InvalidAddressException">Empty, too long, or a NUL inside a file path.</exception>
    internal static UnixPath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var isAbstract = path.Length > 0 && path[0] is '@' or '\0';
        var name = isAbstract ? path[1..] : path;
        if (name.Length == 0)
        {
            throw new InvalidAddressException(path, isAbstract ? "an abstract name needs at least one character after '@'." : "a UNIX socket path cannot be empty.");
        }

        if (!isAbstract && name.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidAddressException(path, "a UNIX socket path cannot contain a NUL character.");
        }

        var bytes = Encoding.UTF8.GetByteCount(name) + (isAbstract ? 1 : 0);
        if (bytes > MaxBytes)
        {
            throw new InvalidAddressException(path, $"{bytes} bytes is longer than the {MaxBytes} bytes a UNIX socket path may have.");
        }

        return new UnixPath(isAbstract ? "@" + name : path, new UnixDomainSocketEndPoint(isAbstract ? "\0" + name : path), isAbstract);
    }

    /// <summary>How an address reads in logs and names: the path, <c>@name</c>, or empty for an unnamed socket.</summary>
    internal static string Display(EndPoint address) => address.ToString() ?? string.Empty;

    public override string ToString() => Text;
}
