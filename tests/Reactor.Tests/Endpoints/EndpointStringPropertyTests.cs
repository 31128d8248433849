using CsCheck;
using Reactor.Endpoints;
using Reactor.Testing;

namespace Reactor.Tests.Endpoints;

/// <summary>
/// Properties of the description parser over random strings (CsCheck): any string either parses or throws the
/// documented exception (<see cref="EndpointParseException"/>; <see cref="NotSupportedException"/> for the TLS kinds),
/// parsing opens nothing, and any value quoted with <see cref="Endpoint.QuoteStringArgument"/> reads back unchanged.
/// </summary>
[Trait("kind", "hostile")]
public class EndpointStringPropertyTests
{
    /// <summary>Characters that matter to the grammar and to the built-in kinds, and some that should not.</summary>
    private static readonly Gen<char> Interesting = Gen.Char[@":=\@/.0123456789-_ abcdefhilmnopstuxyINETUX6[]%é" + "\0\n"];

    private static readonly Gen<string> Descriptions = Gen.OneOf(
        Gen.String,
        Gen.String[Interesting, 0, 40],
        Gen.Select(
            Gen.OneOf("tcp:", "tcp6:", "unix:", "systemd:", "udp:", "hostname:", "ssl:", "tls:", "TCP:", "", ":"),
            Gen.String[Interesting, 0, 30],
            (kind, rest) => kind + rest),
        Gen.Select(
            Gen.OneOf("tcp:", "unix:", "systemd:", "tcp6:"),
            Gen.OneOf("port=", "interface=", "backlog=", "mode=", "lockfile=", "domain=", "index=", "name=", "host=", "timeout=", "bindAddress=", ""),
            Gen.String[Interesting, 0, 12],
            Gen.OneOf("", ":80", ":backlog=5", @"\", ":=x", "::"),
            (kind, key, value, tail) => kind + key + value + tail));

    [Fact]
    public void Any_string_either_parses_or_throws_the_documented_exception_and_opens_nothing()
    {
        var reactor = new MemoryReactor();
        Descriptions.Sample(
            description =>
            {
                foreach (var parse in new Func<object>[]
                {
                    () => Endpoint.ServerFromString(reactor, description),
                    () => Endpoint.ClientFromString(reactor, description),
                    () => Endpoint.DatagramFromString(reactor, description),
                })
                {
                    try
                    {
                        parse().Should().NotBeNull();
                    }
                    catch (EndpointParseException e)
                    {
                        e.Message.Should().NotBeNullOrWhiteSpace();
                        e.Kind.Should().NotBeNull();
                    }
                    catch (NotSupportedException e) when (e.Message.Contains("Reactor.Tls", StringComparison.Ordinal))
                    {
                    }
                }
            },
            iter: 20_000);

        reactor.TcpServers.Should().BeEmpty("parsing opens nothing");
        reactor.UnixServers.Should().BeEmpty();
        reactor.TcpClients.Should().BeEmpty();
        reactor.UdpPorts.Should().BeEmpty();
    }

    [Fact]
    public void Any_value_quoted_reads_back_unchanged_by_position_and_by_keyword()
    {
        var reactor = new MemoryReactor();
        var parsers = new EndpointParsers();
        string? seen = null;
        parsers.AddServerKind("echo", ["value", "other"], (r, a) =>
        {
            seen = a.GetRequiredString("value");
            return new Tcp4ServerEndpoint(r, 0);
        });

        Gen.OneOf(Gen.String, Gen.String[Interesting, 0, 40]).Sample(
            value =>
            {
                Endpoint.ServerFromString(reactor, "echo:" + Endpoint.QuoteStringArgument(value), parsers);
                seen.Should().Be(value);
                Endpoint.ServerFromString(reactor, "echo:other=1:value=" + Endpoint.QuoteStringArgument(value), parsers);
                seen.Should().Be(value);
            },
            iter: 20_000,
            threads: 1); // one "seen" for every sample
    }
}
