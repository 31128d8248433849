using System.Net;
using Reactor.Endpoints;
using Reactor.Testing;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// Endpoint descriptions, from Twisted's <c>test_endpoints.py</c> (twisted-tcp.md §9 L: ParserTests, ServerStringTests,
/// ClientStringTests, TCP6ServerEndpointPluginTests): the grammar, every built-in kind with its defaults, custom kinds,
/// and the errors — each an <see cref="EndpointParseException"/> naming the kind and the argument.
/// </summary>
public class EndpointStringTests
{
    private readonly MemoryReactor _reactor = new();

    private IStreamServerEndpoint Server(string description) => Endpoint.ServerFromString(_reactor, description);

    private IStreamClientEndpoint Client(string description) => Endpoint.ClientFromString(_reactor, description);

    // ---- ParserTests ----------------------------------------------------------------------------------------------

    [Fact]
    public void A_tcp_description_is_a_TCP4_server_endpoint_with_Twisted_s_defaults()
    {
        var endpoint = Server("tcp:80").Should().BeOfType<Tcp4ServerEndpoint>().Subject;
        (endpoint.Port, endpoint.Interface, endpoint.Backlog).Should().Be((80, "", 50));
    }

    [Fact]
    public void A_tcp_description_reads_its_interface_as_a_string_and_its_backlog_as_a_number()
    {
        Server("tcp:80:interface=127.0.0.1").Should().BeOfType<Tcp4ServerEndpoint>().Which.Interface.Should().Be("127.0.0.1");
        Server("tcp:80:backlog=6").Should().BeOfType<Tcp4ServerEndpoint>().Which.Backlog.Should().Be(6);
    }

    [Fact]
    public void A_unix_description_takes_the_lock_file_and_mode_0666_by_default()
    {
        var endpoint = Server("unix:/var/run/finger").Should().BeOfType<UnixServerEndpoint>().Subject;
        (endpoint.Path, endpoint.Mode, endpoint.Backlog, endpoint.WantPid).Should().Be(("/var/run/finger", (UnixFileMode?)null, 50, true));
    }

    [Fact]
    public void A_unix_description_reads_its_mode_in_octal_and_lockfile_0_turns_the_lock_off()
    {
        Server("unix:/var/run/finger:mode=0660").Should().BeOfType<UnixServerEndpoint>().Which.Mode.Should().Be((UnixFileMode)0x1B0);
        Server("unix:/var/run/finger:mode=0o600").Should().BeOfType<UnixServerEndpoint>().Which.Mode.Should().Be((UnixFileMode)0x180);
        Server("unix:/var/run/finger:lockfile=0").Should().BeOfType<UnixServerEndpoint>().Which.WantPid.Should().BeFalse();
    }

    [Fact]
    public void A_backslash_escapes_colons_equals_signs_and_backslashes()
    {
        Server(@"unix:foo\:bar\=baz\:qux\\").Should().BeOfType<UnixServerEndpoint>().Which.Path.Should().Be(@"foo:bar=baz:qux\");
    }

    [Fact]
    public void QuoteStringArgument_escapes_backslashes_and_colons_so_a_value_reads_back_unchanged()
    {
        Endpoint.QuoteStringArgument(@"some : stuff \").Should().Be(@"some \: stuff \\");
        Endpoint.QuoteStringArgument(@"C:\key:x.pem").Should().Be(@"C\:\\key\:x.pem");
        Endpoint.QuoteStringArgument("a=b").Should().Be(@"a\=b", "unlike Twisted, so that a positional value may hold one");
        var path = @"/tmp/a:b\c=d";
        Server("unix:" + Endpoint.QuoteStringArgument(path)).Should().BeOfType<UnixServerEndpoint>().Which.Path.Should().Be(path);
    }

    [Fact]
    public void An_equals_sign_after_the_first_belongs_to_the_value()
    {
        Server("unix:address=foo=bar").Should().BeOfType<UnixServerEndpoint>().Which.Path.Should().Be("foo=bar");
    }

    [Fact]
    public void An_unknown_kind_names_itself_and_the_kinds_there_are()
    {
        var error = FluentActions.Invoking(() => Server("bogus-type:nothing")).Should().Throw<EndpointParseException>().Which;
        error.Kind.Should().Be("bogus-type");
        error.Argument.Should().BeNull();
        error.Message.Should().Be("Unknown endpoint kind 'bogus-type' in 'bogus-type:nothing'; the server kinds are: ssl, systemd, tcp, tcp6, tls, unix.");
        FluentActions.Invoking(() => Client("ftl:andromeda/carcosa/hali/2387")).Should().Throw<EndpointParseException>()
            .Which.Message.Should().StartWith("Unknown endpoint kind 'ftl'");
    }

    // ---- ServerStringTests ----------------------------------------------------------------------------------------

    [Fact]
    public void A_tcp_server_string_sets_port_backlog_and_interface()
    {
        var endpoint = Server("tcp:1234:backlog=12:interface=10.0.0.1").Should().BeOfType<Tcp4ServerEndpoint>().Subject;
        (endpoint.Port, endpoint.Backlog, endpoint.Interface).Should().Be((1234, 12, "10.0.0.1"));
    }

    [Fact]
    public void A_unix_server_string_sets_path_backlog_mode_and_lock()
    {
        var endpoint = Server("unix:/var/foo/bar:backlog=7:mode=0123:lockfile=1").Should().BeOfType<UnixServerEndpoint>().Subject;
        (endpoint.Path, endpoint.Backlog, endpoint.Mode, endpoint.WantPid).Should().Be(("/var/foo/bar", 7, (UnixFileMode?)(UnixFileMode)0x53, true));
    }

    [Fact]
    public void A_tcp6_server_string_listens_on_the_IPv6_wildcard_unless_an_escaped_interface_is_given()
    {
        var endpoint = Server(@"tcp6:8080:backlog=12:interface=\:\:1").Should().BeOfType<Tcp6ServerEndpoint>().Subject;
        (endpoint.Port, endpoint.Backlog, endpoint.Interface).Should().Be((8080, 12, "::1"));
        Server("tcp6:8080").Should().BeOfType<Tcp6ServerEndpoint>().Which.Interface.Should().Be("::");
    }

    [Fact]
    public void Positional_arguments_fill_the_parameters_in_Twisted_s_order()
    {
        Server("tcp:80:127.0.0.1:7").Should().BeOfType<Tcp4ServerEndpoint>().Which.Should().Match<Tcp4ServerEndpoint>(e => e.Interface == "127.0.0.1" && e.Backlog == 7);
        Server("tcp6:80:7").Should().BeOfType<Tcp6ServerEndpoint>().Which.Backlog.Should().Be(7, "tcp6 takes port, backlog, interface");
    }

    [Fact]
    public void Kinds_are_matched_whatever_their_case()
    {
        Server("TCP:8080").Should().BeOfType<Tcp4ServerEndpoint>();
        Client("Unix:/run/app.sock").Should().BeOfType<UnixClientEndpoint>();
    }

    [Fact]
    public void A_kind_added_to_a_registry_is_parsed_with_its_positional_and_keyword_arguments()
    {
        var parsers = new EndpointParsers();
        EndpointArguments? seen = null;
        parsers.AddServerKind("fake", ["first", "second", "yes", "up"], (_, arguments) =>
        {
            seen = arguments;
            return new Tcp4ServerEndpoint(_reactor, 0);
        });

        Endpoint.ServerFromString(_reactor, "fake:hello:world:yes=no:up=down", parsers);

        seen!.Kind.Should().Be("fake");
        (seen.GetRequiredString("first"), seen.GetRequiredString("second"), seen.GetString("yes", ""), seen.GetString("up", "")).Should().Be(("hello", "world", "no", "down"));
        parsers.ServerKinds.Should().Equal("fake", "ssl", "systemd", "tcp", "tcp6", "tls", "unix");
        EndpointParsers.Default.ServerKinds.Should().NotContain("fake", "a registry of one's own leaves the default alone");
        FluentActions.Invoking(() => Server("fake:x")).Should().Throw<EndpointParseException>();
    }

    [Fact]
    public void A_kind_cannot_be_registered_twice_or_under_a_bad_name()
    {
        var parsers = new EndpointParsers();
        IStreamClientEndpoint Make(IReactor r, EndpointArguments a) => new UnixClientEndpoint(r, "/x");

        parsers.Invoking(p => p.AddClientKind("tcp", [], Make)).Should().Throw<InvalidOperationException>();
        parsers.Invoking(p => p.AddClientKind("9lives", [], Make)).Should().Throw<ArgumentException>();
        parsers.Invoking(p => p.AddClientKind("ok", ["a", "A"], Make)).Should().Throw<ArgumentException>();
        parsers.Invoking(p => p.AddClientKind("TLS", [], Make)).Should().Throw<InvalidOperationException>("the built-in tls kind is there, whatever the case");
        parsers.AddClientKind("mine", ["host", "port"], Make);
        Endpoint.ClientFromString(_reactor, "mine:example.com:443", parsers).Should().BeOfType<UnixClientEndpoint>();
    }

    [Fact]
    public void Ssl_and_tls_make_TLS_endpoints_over_TCP_and_read_their_files_when_parsed()
    {
        // The files are read at parse time (as Twisted's _parseSSL does), so a missing one is a parse error naming it.
        FluentActions.Invoking(() => Server("ssl:443:privateKey=/nonexistent/key.pem")).Should().Throw<EndpointParseException>()
            .Which.Argument.Should().Be("privateKey");
        var tls = Client("tls:example.com:443").Should().BeOfType<TlsClientEndpoint>().Subject;
        tls.Inner.Should().BeOfType<HostnameEndpoint>().Which.Port.Should().Be(443);
        Client("ssl:example.com:443").Should().BeOfType<TlsClientEndpoint>().Which.Inner.Should().BeOfType<Tcp4ClientEndpoint>();
    }

    // ---- ClientStringTests ----------------------------------------------------------------------------------------

    [Fact]
    public void A_tcp_client_string_sets_host_port_timeout_and_bind_address()
    {
        var endpoint = Client("tcp:host=example.com:port=1234:timeout=7:bindAddress=10.0.0.2").Should().BeOfType<Tcp4ClientEndpoint>().Subject;
        (endpoint.Host, endpoint.Port, endpoint.Timeout, endpoint.BindAddress).Should().Be(
            ("example.com", 1234, TimeSpan.FromSeconds(7), new IPEndPoint(IPAddress.Parse("10.0.0.2"), 0)));
    }

    [Theory]
    [InlineData("tcp:example.com:1234:timeout=7:bindAddress=10.0.0.2")]
    [InlineData("tcp:example.com:port=1234:timeout=7:bindAddress=10.0.0.2")]
    [InlineData("tcp:host=example.com:1234:timeout=7:bindAddress=10.0.0.2")]
    [InlineData("tcp:port=1234:example.com")]
    public void A_tcp_client_string_takes_host_and_port_by_position_or_keyword(string description)
    {
        var endpoint = Client(description).Should().BeOfType<Tcp4ClientEndpoint>().Subject;
        (endpoint.Host, endpoint.Port).Should().Be(("example.com", 1234));
    }

    [Fact]
    public void A_tcp_client_string_may_leave_out_the_timeout_and_the_bind_address()
    {
        var endpoint = Client("tcp:host=example.com:port=1234").Should().BeOfType<Tcp4ClientEndpoint>().Subject;
        endpoint.Timeout.Should().Be(TimeSpan.FromSeconds(30));
        endpoint.BindAddress.Should().BeNull();
    }

    [Fact]
    public void A_unix_client_string_sets_path_timeout_and_lock_check_and_defaults_to_no_check()
    {
        var endpoint = Client("unix:path=/var/foo/bar:lockfile=1:timeout=9").Should().BeOfType<UnixClientEndpoint>().Subject;
        (endpoint.Path, endpoint.Timeout, endpoint.CheckPid).Should().Be(("/var/foo/bar", TimeSpan.FromSeconds(9), true));
        var positional = Client("unix:/var/foo/bar:lockfile=1:timeout=9").Should().BeOfType<UnixClientEndpoint>().Subject;
        (positional.Path, positional.CheckPid).Should().Be(("/var/foo/bar", true));
        var defaults = Client("unix:path=/var/foo/bar").Should().BeOfType<UnixClientEndpoint>().Subject;
        (defaults.Timeout, defaults.CheckPid).Should().Be((TimeSpan.FromSeconds(30), false));
    }

    [Fact]
    public void Tcp6_and_hostname_client_strings_make_those_endpoints()
    {
        Client(@"tcp6:\:\:1:8080").Should().BeOfType<Tcp6ClientEndpoint>().Which.Host.Should().Be("::1");
        var hostname = Client("hostname:example.com:443:timeout=2.5:attemptDelay=0.1").Should().BeOfType<HostnameEndpoint>().Subject;
        (hostname.Host, hostname.Port, hostname.Timeout, hostname.AttemptDelay).Should().Be(("example.com", 443, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(0.1)));
        Client("hostname:example.com:443").Should().BeOfType<HostnameEndpoint>().Which.AttemptDelay.Should().Be(TimeSpan.FromMilliseconds(250));
    }

    // ---- Bad arguments --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("tcp:http", "tcp", "port", "argument 'port' of kind 'tcp' must be a whole number from 0 to 65535, not 'http'")]
    [InlineData("tcp:65536", "tcp", "port", "from 0 to 65535, not '65536'")]
    [InlineData("tcp", "tcp", "port", "argument 'port' of kind 'tcp' is required")]
    [InlineData("tcp:80:backlog=0", "tcp", "backlog", "from 1 to")]
    [InlineData("tcp:80:interface=localhost", "tcp", "interface", "must be an IP address")]
    [InlineData("tcp:80:colour=blue", "tcp", "colour", "kind 'tcp' has no argument 'colour'; its arguments are: port, interface, backlog")]
    [InlineData("tcp:80:backlog=5:backlog=6", "tcp", "backlog", "is given twice")]
    [InlineData("tcp:80:127.0.0.1:5:extra", "tcp", null, "takes 3 more positional argument(s), not 4")]
    [InlineData("unix:/run/a.sock:mode=999", "unix", "mode", "must be an octal file mode")]
    [InlineData("unix:/run/a.sock:lockfile=maybe", "unix", "lockfile", "must be 1 or 0")]
    [InlineData("unix:", "unix", "address", "is not a usable UNIX socket path")]
    [InlineData(@"tcp:80\", "tcp", null, "ends with a backslash")]
    [InlineData("", "", null, "cannot be empty")]
    [InlineData("port=80", "", "port", "must start with a kind")]
    public void A_bad_server_description_names_the_kind_the_argument_and_what_is_allowed(string description, string kind, string? argument, string message)
    {
        var error = FluentActions.Invoking(() => Server(description)).Should().Throw<EndpointParseException>().Which;
        (error.Kind, error.Argument).Should().Be((kind, argument));
        error.Message.Should().Contain(message);
        error.Should().BeAssignableTo<FormatException>();
    }

    [Theory]
    [InlineData("tcp:example.com", "tcp", "port", "is required")]
    [InlineData("tcp:example.com:0", "tcp", "port", "from 1 to 65535")]
    [InlineData("tcp::80", "tcp", "host", "cannot be empty")]
    [InlineData("tcp:example.com:80:timeout=0", "tcp", "timeout", "above 0")]
    [InlineData("tcp:example.com:80:timeout=soon", "tcp", "timeout", "number of seconds")]
    [InlineData("tcp:example.com:80:bindAddress=me", "tcp", "bindAddress", "must be a local IP address")]
    [InlineData("hostname:example.com:80:attemptDelay=-1", "hostname", "attemptDelay", "from 0")]
    [InlineData("unix:path=/a:lockfile=1:/b", "unix", "timeout", "number of seconds")]
    [InlineData("unix:/a:5:1:extra", "unix", null, "takes 3 more positional argument(s), not 4")]
    public void A_bad_client_description_names_the_kind_the_argument_and_what_is_allowed(string description, string kind, string? argument, string message)
    {
        var error = FluentActions.Invoking(() => Client(description)).Should().Throw<EndpointParseException>().Which;
        (error.Kind, error.Argument).Should().Be((kind, argument));
        error.Message.Should().Contain(message);
    }

    [Fact]
    public void An_exception_from_a_kind_s_own_parser_is_reported_as_an_EndpointParseException_of_that_kind()
    {
        var parsers = new EndpointParsers();
        parsers.AddClientKind("picky", ["port"], (reactor, a) => new Tcp4ClientEndpoint(reactor, "example.com", a.GetInt32("port", null, int.MinValue, int.MaxValue)));

        var error = FluentActions.Invoking(() => Endpoint.ClientFromString(_reactor, "picky:-5", parsers)).Should().Throw<EndpointParseException>().Which;

        (error.Kind, error.Argument).Should().Be(("picky", "port"));
        error.InnerException.Should().BeOfType<ArgumentOutOfRangeException>();
    }
}
