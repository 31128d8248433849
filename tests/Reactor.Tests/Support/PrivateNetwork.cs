using System.Runtime.InteropServices;

namespace Reactor.Tests.Support;

/// <summary>
/// Runs a test body on a thread that has its own, empty network namespace (Linux <c>unshare(CLONE_NEWNET)</c> on that
/// thread only), with loopback up and a veth pair <c>v0</c>/<c>v1</c> (IPv6 <c>fd00::1</c> on v0) for IPv6 multicast.
/// Multicast sent there cannot leave the machine whatever the test does. Needs root (CAP_SYS_ADMIN) and iproute2.
/// </summary>
public static partial class PrivateNetwork
{
    private const int CLONE_NEWNET = 0x40000000;

    private static readonly Lazy<string?> s_unavailableReason = new(Probe);

    /// <summary>Why private namespaces cannot be used here, or null when they can.</summary>
    public static string? UnavailableReason => s_unavailableReason.Value;

    /// <summary>The interface with <see cref="IPv6Address"/>, for IPv6 joins.</summary>
    public const string IPv6Interface = "v0";

    /// <summary>An IPv4 address on <see cref="IPv6Interface"/> (from the benchmarking range, 198.18.0.0/15, private to the namespace).</summary>
    public const string IPv4Address = "198.18.0.1";

    /// <summary>A unique-local address on <see cref="IPv6Interface"/>.</summary>
    public const string IPv6Address = "fd00::1";

    /// <summary>A second address on <see cref="IPv6Interface"/>, for a sender that source-specific joins must filter out.</summary>
    public const string OtherIPv6Address = "fd00::2";

    /// <summary>Runs <paramref name="body"/> inside a new namespace on a new thread, and waits for it (bounded).</summary>
    public static void Run(Action body, TimeSpan? timeout = null)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (unshare(CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"unshare(CLONE_NEWNET) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                Ip("link set lo up");
                Ip("link set lo multicast on");

                // Joins and sends that name no interface go to lo, as they go to eth0 on a host with a default route.
                Ip("route add 224.0.0.0/4 dev lo");
                Ip("link add v0 type veth peer name v1");
                Ip("link set v0 up");
                Ip("link set v1 up");
                Ip($"addr add {IPv4Address}/24 dev v0");
                Ip($"-6 addr add {IPv6Address}/64 dev v0 nodad");
                Ip($"-6 addr add {OtherIPv6Address}/64 dev v0 nodad");
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "private network namespace",
        };
        thread.Start();
        thread.Join(timeout ?? TimeSpan.FromSeconds(60)).Should().BeTrue("the test body must finish in time");
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>Runs an <c>ip</c> command in the calling thread's namespace.</summary>
    private static void Ip(string arguments)
    {
        using var ip = SampleProcess.Start("ip", arguments.Split(' '));
        var exit = ip.WaitForExit(TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ip {arguments} failed ({exit}): {string.Join(' ', ip.Stderr)}");
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces are Linux-only";
        }

        if (ExternalProgram.Find("ip") is null)
        {
            return "iproute2 (ip) is not installed";
        }

        try
        {
            Run(() => { }, TimeSpan.FromSeconds(30));
            return null;
        }
        catch (Exception e)
        {
            return $"cannot create a private network namespace here (needs root): {e.Message}";
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unshare(int flags);
}

/// <summary>A theory over backends that is skipped, with the reason, where private network namespaces are unavailable.</summary>
public sealed class PrivateNetworkTheoryAttribute : TheoryAttribute
{
    public PrivateNetworkTheoryAttribute()
    {
        if (PrivateNetwork.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
