using Reactor.Internal.Linux;

namespace Reactor.Internal.Unix;

/// <summary>
/// Twisted's <c>FilesystemLock</c>, the lock file of a UNIX port listened on with <c>wantPid</c>: a symbolic link named
/// <c>path.lock</c> whose target is the holder's process id. Creating a symbolic link is atomic, so only one process
/// can take a free lock; a lock whose process has died is removed and taken (the take-over is then not "clean", and the
/// port removes the socket file the dead process left).
/// </summary>
internal sealed class UnixLock
{
    private readonly string _path;
    private bool _held;

    private UnixLock(string path) => _path = path;

    /// <summary>
    /// Takes the lock at <paramref name="path"/>, or returns <c>null</c> with the live holder's id in
    /// <paramref name="holder"/>. <paramref name="clean"/> is <c>false</c> when a dead process's lock was taken over.
    /// </summary>
    internal static UnixLock? TryAcquire(string path, out bool clean, out int holder)
    {
        clean = true;
        holder = 0;
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                File.CreateSymbolicLink(path, pid);
                return new UnixLock(path) { _held = true };
            }
            catch (IOException e) when ((e.HResult & 0xffff) == 17)
            {
                // EEXIST: someone holds it, or held it and died.
            }

            var owner = Holder(path);
            if (owner is null)
            {
                continue; // released meanwhile: try again
            }

            if (IsAlive(owner.Value))
            {
                holder = owner.Value;
                return null;
            }

            // Twisted: a dead holder's lock is broken, and the take-over is not clean.
            TryDelete(path);
            clean = false;
        }

        return null;
    }

    /// <summary>Whether a live process holds the lock at <paramref name="path"/> (Twisted's <c>isLocked</c>, for <c>checkPid</c>).</summary>
    internal static bool IsHeld(string path) => Holder(path) is { } owner && IsAlive(owner);

    /// <summary>Releases the lock (idempotent).</summary>
    internal void Release()
    {
        if (_held)
        {
            _held = false;
            TryDelete(_path);
        }
    }

    /// <summary>The process id the lock names, or <c>null</c> when there is no lock (or it is not one of ours).</summary>
    private static int? Holder(string path)
    {
        string? target;
        try
        {
            target = new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }

        return int.TryParse(target, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>kill(pid, 0): the process exists (EPERM: it does, but is someone else's).</summary>
    private static bool IsAlive(int pid) => Interop.kill(pid, 0) == 0 || Interop.LastError != Errno.ESRCH;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
