using System.Net.Sockets;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;

namespace Reactor.Tests.Unix;

/// <summary>Adopted UNIX sockets: a listening one serves as a UNIX port whose file is never removed (its owner keeps it, D64).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UnixAdoptionTests
{
    [LinuxTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void An_adopted_UNIX_port_serves_connections_and_leaves_its_socket_file_when_it_stops(ReactorBackend backend)
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket();
        using var reactor = TestBackends.Create(backend);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(5);
        var factory = new RecordingServerFactory();

        var port = reactor.AdoptStreamPort((int)listener.Handle, AddressFamily.Unix, factory);

        port.Should().BeAssignableTo<IUnixPort>().Which.GetHost().ToString().Should().Be(path);
        var client = new RecordingStreamProtocol();
        reactor.ConnectUnix(path, new RecordingClientFactory { Build = _ => client });
        reactor.RunUntil(() => client.Events.Contains("made") && factory.Protocols.Count == 1);
        ((IUnixTransport)factory.Protocols[0].Transport!).GetHost().ToString().Should().Be(path);
        var stopped = false;
        port.StopListening().AddCallback(_ => stopped = true);
        reactor.RunUntil(() => stopped);
        File.Exists(path).Should().BeTrue("an adopted port's file belongs to whoever made it (systemd)");
    }
}
