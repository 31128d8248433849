using System.Runtime.InteropServices;
using Reactor.Internal.Linux;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;

namespace Reactor.Tests.Unix;

/// <summary>A directory of its own for one test's UNIX socket files, removed (with everything in it) when the test ends.</summary>
public sealed class SocketDirectory : IDisposable
{
    public SocketDirectory() => Path = Directory.CreateTempSubdirectory("reactor-unix-").FullName;

    public string Path { get; }

    /// <summary>A path for a socket file in this directory.</summary>
    public string Socket(string name = "s.sock") => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Helpers for UNIX socket tests: a connected pair on one reactor, over a path in a fresh directory.</summary>
public static partial class UnixTestKit
{
    [LibraryImport("libc")]
    internal static partial uint getuid();

    [LibraryImport("libc")]
    internal static partial uint getgid();

    /// <summary>
    /// Binds a UNIX socket to <paramref name="path"/> and closes it without removing the file: what a process that died
    /// leaves behind (a socket file nobody listens on).
    /// </summary>
    public static unsafe void LeaveStaleSocketFile(string path)
    {
        var fd = Interop.socket(Interop.AF_UNIX, Interop.SOCK_STREAM, 0);
        fd.Should().BeGreaterThanOrEqualTo(0);
        var address = stackalloc byte[SockAddr.MaxAnyLength];
        var length = SockAddr.Encode(new System.Net.Sockets.UnixDomainSocketEndPoint(path), new Span<byte>(address, SockAddr.MaxAnyLength));
        Interop.bind(fd, address, (uint)length).Should().Be(0);
        Interop.close(fd);
        File.Exists(path).Should().BeTrue();
    }

    /// <summary>A Linux abstract name no other test uses.</summary>
    public static string AbstractName() => $"@reactor-test-{Guid.NewGuid():N}";

    /// <summary>
    /// Listens on <paramref name="path"/> and connects a client to it on one reactor, iterating until both protocols are
    /// connected.
    /// </summary>
    public static (IReactor Reactor, IUnixPort Port, RecordingStreamProtocol Server, RecordingStreamProtocol Client) Pair(
        ReactorBackend backend, string path, RecordingStreamProtocol? server = null, RecordingStreamProtocol? client = null, TestLoggerFactory? logs = null)
    {
        var reactor = TestBackends.Create(backend, logs);
        server ??= new RecordingStreamProtocol();
        client ??= new RecordingStreamProtocol();
        var s = server;
        var c = client;
        var port = reactor.ListenUnix(path, new RecordingServerFactory { Build = _ => s });
        reactor.ConnectUnix(path, new RecordingClientFactory { Build = _ => c });
        reactor.RunUntil(() => s.Events.Contains("made") && c.Events.Contains("made"));
        return (reactor, port, server, client);
    }

    /// <summary>The protocol's transport as a UNIX one.</summary>
    public static IUnixTransport Unix(this RecordingStreamProtocol protocol) => (IUnixTransport)protocol.Transport!;
}
