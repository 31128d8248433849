using System.Net;
using System.Reflection;
using Reactor.Tests.Support;

namespace Reactor.Tests.Docs;

/// <summary>The signature docs/multicast.md quotes from <see cref="IReactorMulticast"/>, checked against it by a test.</summary>
internal interface IReactorMulticastAsDocumented
{
    // <snippet listen-multicast>
    IMulticastTransport ListenMulticast(int port, DatagramProtocol protocol, string @interface = "",
                                        int maxPacketSize = 8192, bool listenMultiple = false);
    // </snippet>
}

/// <summary>The signatures docs/multicast.md quotes from <see cref="IMulticastTransport"/>, checked against it by a test.</summary>
internal interface IMulticastTransportAsDocumented
{
    // <snippet join-leave>
    Deferred<object?> JoinGroup(string group, string @interface = "");
    Deferred<object?> LeaveGroup(string group, string @interface = "");
    // </snippet>

    // <snippet source-specific>
    Deferred<object?> JoinSourceGroup(string group, string source, string @interface = "");
    Deferred<object?> LeaveSourceGroup(string group, string source, string @interface = "");
    // </snippet>
}

/// <summary>
/// The code blocks of docs/multicast.md that are not samples: the quoted signatures (compared with the real interfaces)
/// and the <c>listenMultiple</c> example, which sends group traffic and so only runs inside a private network namespace.
/// </summary>
public class MulticastGuideExamples
{
    public static TheoryData<string, string> DocumentedSignatures => new()
    {
        { nameof(IReactorMulticastAsDocumented), nameof(IReactorMulticast) },
        { nameof(IMulticastTransportAsDocumented), nameof(IMulticastTransport) },
    };

    [Theory]
    [MemberData(nameof(DocumentedSignatures))]
    public void The_quoted_signatures_are_the_real_ones(string documentedName, string realName)
    {
        var documented = typeof(MulticastGuideExamples).Assembly.GetType($"Reactor.Tests.Docs.{documentedName}")!;
        var real = typeof(IReactor).Assembly.GetType($"Reactor.{realName}")!;
        var methods = documented.GetMethods();
        methods.Should().NotBeEmpty();
        foreach (var quoted in methods)
        {
            var parameters = quoted.GetParameters();
            var actual = real.GetMethod(quoted.Name, [.. parameters.Select(p => p.ParameterType)]);
            actual.Should().NotBeNull($"{realName} must have {quoted}");
            actual!.ReturnType.Should().Be(quoted.ReturnType, quoted.Name);
            actual.GetParameters().Select(Describe).Should().Equal(parameters.Select(Describe), $"the parameters of {quoted.Name}");
        }
    }

    private static string Describe(ParameterInfo parameter) =>
        parameter.HasDefaultValue ? $"{parameter.Name} = {parameter.DefaultValue}" : parameter.Name!;

    [PrivateNetworkTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Ports_shared_with_listenMultiple_each_receive_every_group_datagram(ReactorBackend backend) => PrivateNetwork.Run(() =>
    {
        using var reactor = TestBackends.Create(backend);

        // <snippet listen-multiple>
        var receiver = reactor.ListenMulticast(1600, new Receiver(), "", listenMultiple: true);
        receiver.JoinGroup("224.168.2.9", "lo");
        // </snippet>

        var other = reactor.ListenMulticast(1600, new Receiver(), "", listenMultiple: true);
        other.JoinGroup("224.168.2.9", "lo").Called.Should().BeTrue();
        var sender = reactor.ListenMulticast(0, new DatagramProtocol());
        sender.SetOutgoingInterface("127.0.0.1").Called.Should().BeTrue();
        var group = new IPEndPoint(IPAddress.Parse("224.168.2.9"), 1600);

        void SendUntilEveryReceiverHasOne()
        {
            if (Receiver.Created.All(r => r.Received > 0))
            {
                reactor.Stop();
                return;
            }

            sender.Write("Hello World"u8, group);
            reactor.CallLater(TimeSpan.FromMilliseconds(50), SendUntilEveryReceiverHasOne);
        }

        reactor.CallWhenRunning(SendUntilEveryReceiverHasOne);
        reactor.RunWithTimeout();

        Receiver.Created.Should().HaveCount(2).And.OnlyContain(r => r.Received > 0);
    });

    /// <summary>Counts datagrams; remembers every instance made on this thread (the namespace's, which runs the reactor).</summary>
    private sealed class Receiver : DatagramProtocol
    {
        [ThreadStatic]
        private static List<Receiver>? t_created;

        public Receiver() => Created.Add(this);

        public static List<Receiver> Created => t_created ??= [];

        public int Received { get; private set; }

        public override void DatagramReceived(ReadOnlySpan<byte> datagram, IPEndPoint sender) => Received++;
    }
}
