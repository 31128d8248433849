using System.Net;
using System.Text;
using Reactor.Tests.Support;
using Reactor.Tests.Tcp;
using RecordingStreamProtocol = Reactor.Tests.Tcp.RecordingStreamProtocol;
using Reactor.Tests.Unix;

namespace Reactor.Tests.Docs;

// <snippet same-user>
/// <summary>Answers only processes of the user this server runs as: the kernel says who connected (SO_PEERCRED).</summary>
sealed class SameUserOnly(uint myUserId) : Protocol
{
    public override void ConnectionMade()
    {
        var transport = (IUnixTransport)Transport!;
        if (transport.PeerCredentials is not { } peer || peer.UserId != myUserId)
        {
            transport.LoseConnection();
            return;
        }

        transport.Write(Encoding.UTF8.GetBytes($"hello, process {peer.ProcessId}\n"));
    }
}
// </snippet>

/// <summary>docs/unix.md's examples, run.</summary>
[Collection(DocExamplesCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class UnixGuideExamples
{
    [LinuxFact]
    public void The_same_user_server_greets_a_client_of_the_same_user_by_its_process_id()
    {
        using var directory = new SocketDirectory();
        var path = directory.Socket("app.sock");
        using var reactor = ReactorFactory.Create();
        var myUserId = UnixTestKit.getuid();

        // <snippet listen-unix>
        var port = reactor.ListenUnix(path, Factory.ForProtocol(() => new SameUserOnly(myUserId)),
            mode: UnixFileMode.UserRead | UnixFileMode.UserWrite); // only this user may even connect
        Console.WriteLine($"listening on {port.GetHost()}");
        // </snippet>

        var client = new RecordingStreamProtocol();
        // <snippet connect-unix>
        reactor.ConnectUnix(path, new RecordingClientFactory { Build = _ => client }, timeout: TimeSpan.FromSeconds(5));
        // </snippet>
        reactor.RunUntil(() => client.Received.Length > 0 && client.Received[^1] == '\n');
        Encoding.UTF8.GetString(client.Received).Should().Be($"hello, process {Environment.ProcessId}\n");
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [LinuxFact]
    public void An_abstract_name_needs_no_directory()
    {
        using var reactor = ReactorFactory.Create();
        var name = UnixTestKit.AbstractName();

        // <snippet abstract>
        var port = reactor.ListenUnix(name, Factory.ForProtocol(() => new Protocol())); // "@reactor-test-…": no file
        // </snippet>

        port.GetHost().ToString().Should().Be(name);
        _ = (EndPoint)port.GetHost();
    }
}
