using System.Net.Sockets;
using Reactor.Endpoints;
using Reactor.Internal.Endpoints;
using Reactor.Testing;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// The <c>systemd:</c> kind (Twisted's SystemdEndpointPluginTests, twisted-tcp.md §9 L) and the environment it reads
/// (<c>LISTEN_FDS</c>, <c>LISTEN_PID</c>, <c>LISTEN_FDNAMES</c>). Activation of a real process is in
/// <c>Samples/SocketActivationTests.cs</c>.
/// </summary>
public class SystemdEndpointTests
{
    private static readonly SystemdSockets Passed = new([5, 6, 7, 8, 9], ["5.socket", "6.socket", "foo", "8.socket", "9.socket"]);

    private readonly MemoryReactor _reactor = new();
    private readonly EndpointParsers _parsers = new(Passed);

    [Theory]
    [InlineData("INET", AddressFamily.InterNetwork)]
    [InlineData("INET6", AddressFamily.InterNetworkV6)]
    [InlineData("UNIX", AddressFamily.Unix)]
    public void An_index_names_the_descriptor_at_that_place_with_the_family_of_the_domain(string domain, AddressFamily family)
    {
        var endpoint = Endpoint.ServerFromString(_reactor, $"systemd:domain={domain}:index=3", _parsers).Should().BeOfType<AdoptedStreamServerEndpoint>().Subject;
        (endpoint.FileDescriptor, endpoint.Family).Should().Be((8, family));
    }

    [Theory]
    [InlineData("INET", AddressFamily.InterNetwork)]
    [InlineData("INET6", AddressFamily.InterNetworkV6)]
    [InlineData("UNIX", AddressFamily.Unix)]
    public void A_name_names_the_descriptor_systemd_gave_that_name(string domain, AddressFamily family)
    {
        var endpoint = Endpoint.ServerFromString(_reactor, $"systemd:domain={domain}:name=foo", _parsers).Should().BeOfType<AdoptedStreamServerEndpoint>().Subject;
        (endpoint.FileDescriptor, endpoint.Family).Should().Be((7, family));
    }

    [Fact]
    public void A_datagram_description_adopts_a_UDP_socket_with_its_packet_size()
    {
        var endpoint = Endpoint.DatagramFromString(_reactor, "systemd:domain=INET6:index=0:maxPacketSize=1400", _parsers).Should().BeOfType<AdoptedDatagramEndpoint>().Subject;
        (endpoint.FileDescriptor, endpoint.Family, endpoint.MaxPacketSize).Should().Be((5, AddressFamily.InterNetworkV6, 1400));
        FluentActions.Invoking(() => Endpoint.DatagramFromString(_reactor, "systemd:domain=UNIX:index=0", _parsers))
            .Should().Throw<EndpointParseException>().Which.Argument.Should().Be("domain");
    }

    [Theory]
    [InlineData("systemd:domain=INET:index=0:name=foo", "name", "cannot both be given")]
    [InlineData("systemd:domain=INET", "index", "give exactly one of index=N and name=X")]
    [InlineData("systemd:domain=IPX:index=0", "domain", "must be INET, INET6 or UNIX, not 'IPX'")]
    [InlineData("systemd:index=0", "domain", "is required")]
    [InlineData("systemd:domain=INET:index=5", "index", "is 5, but systemd passed 5 socket(s), named 5.socket, 6.socket, foo, 8.socket, 9.socket")]
    [InlineData("systemd:domain=INET:name=bar", "name", "is 'bar', but systemd passed 5 socket(s)")]
    public void A_bad_systemd_description_says_which_argument_and_what_systemd_passed(string description, string argument, string message)
    {
        // Twisted's test_indexAndNameMutuallyExclusive, and the errors it leaves to IndexError and KeyError.
        var error = FluentActions.Invoking(() => Endpoint.ServerFromString(_reactor, description, _parsers)).Should().Throw<EndpointParseException>().Which;
        (error.Kind, error.Argument).Should().Be(("systemd", argument));
        error.Message.Should().Contain(message);
    }

    [Fact]
    public void Outside_socket_activation_the_error_says_systemd_passed_nothing()
    {
        var parsers = new EndpointParsers(new SystemdSockets([], []));
        FluentActions.Invoking(() => Endpoint.ServerFromString(_reactor, "systemd:domain=INET:index=0", parsers))
            .Should().Throw<EndpointParseException>().Which.Message.Should().Contain("systemd passed no sockets to this process (LISTEN_FDS and LISTEN_PID are not set for it)");
    }

    [Fact]
    public void The_environment_counts_for_this_process_only_and_names_default_to_unknown()
    {
        var env = new Dictionary<string, string> { ["LISTEN_PID"] = "42", ["LISTEN_FDS"] = "2", ["LISTEN_FDNAMES"] = "web:admin" };

        var mine = SystemdSockets.FromEnvironment(name => env.GetValueOrDefault(name), 42);
        var other = SystemdSockets.FromEnvironment(name => env.GetValueOrDefault(name), 43);
        env.Remove("LISTEN_FDNAMES");
        var unnamed = SystemdSockets.FromEnvironment(name => env.GetValueOrDefault(name), 42);
        env["LISTEN_FDNAMES"] = "only-one";
        var mismatched = SystemdSockets.FromEnvironment(name => env.GetValueOrDefault(name), 42);

        (mine.Descriptors, mine.Names).Should().BeEquivalentTo((new[] { 3, 4 }, new[] { "web", "admin" }));
        other.Descriptors.Should().BeEmpty("LISTEN_PID names another process (a parent that did not clear it)");
        unnamed.Names.Should().Equal("unknown", "unknown");
        mismatched.Names.Should().Equal("unknown", "unknown");
    }
}
