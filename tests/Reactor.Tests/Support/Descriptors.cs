namespace Reactor.Tests.Support;

/// <summary>This process's open descriptors as Linux shows them in <c>/proc/self/fd</c>.</summary>
public static class Descriptors
{
    /// <summary>What the descriptor link at <paramref name="path"/> points to (e.g. <c>socket:[1234]</c>); null once it is closed.</summary>
    public static string? LinkTarget(string path) => LinkTarget(new FileInfo(path));

    /// <summary>How many descriptors the process has open.</summary>
    public static int Count() => new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count();

    /// <summary>The <c>socket:[inode]</c> of every open socket descriptor.</summary>
    public static string?[] OpenSocketInodes() =>
        [.. new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Select(LinkTarget).Where(t => t?.StartsWith("socket:", StringComparison.Ordinal) == true)];

    private static string? LinkTarget(FileSystemInfo link)
    {
        try
        {
            return link.LinkTarget;
        }
        catch (IOException)
        {
            return null; // closed meanwhile
        }
    }
}
