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

// <snippet datagram>
/// <summary>Answers every datagram from a bound sender with its length; an unbound sender cannot be answered.</summary>
sealed class LengthEcho : UnixDatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> datagram, System.Net.Sockets.UnixDomainSocketEndPoint? sender)
    {
        if (sender is not null)
        {
            Transport!.Write(Encoding.UTF8.GetBytes(datagram.Length.ToString()), sender);
        }
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

    [LinuxFact]
    public void The_length_echo_answers_a_bound_sender_with_its_datagram_s_length()
    {
        using var directory = new SocketDirectory();
        using var reactor = ReactorFactory.Create();
        reactor.ListenUnixDatagram(directory.Socket("echo.sock"), new LengthEcho());
        var client = new RecordingUnixDatagramProtocol();

        reactor.ConnectUnixDatagram(directory.Socket("echo.sock"), client, bindAddress: directory.Socket("me.sock")).Write("hello"u8);
        reactor.RunUntil(() => client.Received.Count == 1);

        client.Received[0].Text.Should().Be("5");
    }
}
