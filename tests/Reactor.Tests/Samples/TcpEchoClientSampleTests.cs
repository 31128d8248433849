using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Support;

namespace Reactor.Tests.Samples;

/// <summary>
/// samples/TcpEchoClient (Twisted's simpleclient.py) as a program: against Twisted's echo server and TcpEcho, by name or
/// address, with an echo that comes back in pieces or not at all, and when the connection cannot be made — refused,
/// timed out, or a name that does not resolve.
/// </summary>
[Collection(SampleCollection.Name)]
public class TcpEchoClientSampleTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [RequiresTwistedFact]
    [Trait("kind", "interop")]
    public void TcpEchoClient_says_hello_to_Twisted_s_echo_server_prints_the_reply_and_says_goodbye()
    {
        using var server = SampleProcess.Start(ExternalProgram.TwistedPython!, [EchoSampleTests.PeerScript("twisted_tcp_echo_server.py"), "127.0.0.1", "0"]);
        var started = server.WaitForLine(l => l.StartsWith("Echo starting on ", StringComparison.Ordinal));
        var port = started["Echo starting on ".Length..];

        using var client = SampleProcess.StartSample("TcpEchoClient", "--port", port);
        client.WaitForExit(ExitTimeout).Should().Be(0);
        client.Stdout.Should().Equal("Server said: hello, world", "Connection lost - goodbye!");
        client.Stderr.Should().BeEmpty();
        server.WaitForLine(l => l.StartsWith("received", StringComparison.Ordinal)).Should().Be("received b'hello, world'");
    }

    [Theory]
    [InlineData("127.0.0.1", "localhost")]
    [InlineData("::1", "::1")]
    public void TcpEchoClient_reaches_TcpEcho_by_host_name_or_IPv6_address_with_its_own_message(string echoInterface, string host)
    {
        using var echo = SampleProcess.StartSample("TcpEcho", "--port", "0", "--interface", echoInterface);
        var port = EchoSampleTests.StartedPort(echo);

        using var client = SampleProcess.StartSample("TcpEchoClient", "--host", host, "--port", Text(port), "--message", "héllo, wörld");
        client.WaitForExit(ExitTimeout).Should().Be(0);
        client.Stdout.Should().Equal("Server said: héllo, wörld", "Connection lost - goodbye!");
        echo.WaitForLine(l => l.StartsWith("connection from", StringComparison.Ordinal))
            .Should().StartWith(echoInterface == "::1" ? "connection from [::1]:" : "connection from 127.0.0.1:");
        echo.Terminate();
        echo.WaitForExit(ExitTimeout).Should().Be(0);
    }

    [Fact]
    public void An_echo_that_comes_back_one_byte_at_a_time_is_printed_once_whole()
    {
        var message = string.Concat(Enumerable.Repeat("0123456789", 100));
        using var listener = Listen(out var port);
        var server = ServeOnce(listener, connection =>
        {
            var received = TcpClients.ReceiveExactly(connection, message.Length);
            foreach (var b in received)
            {
                connection.Send([b]);
            }

            TcpClients.ReceiveToEnd(connection).Should().BeEmpty("the client closes once it has the whole echo");
        });

        using var client = SampleProcess.StartSample("TcpEchoClient", "--port", Text(port), "--message", message);
        client.WaitForExit(ExitTimeout).Should().Be(0);
        client.Stdout.Should().Equal($"Server said: {message}", "Connection lost - goodbye!");
        server.Finish();
    }

    [Fact]
    public void A_server_that_closes_before_echoing_everything_gets_no_reply_line_and_exit_code_1()
    {
        using var listener = Listen(out var port);
        var server = ServeOnce(listener, connection =>
        {
            connection.Send(TcpClients.ReceiveExactly(connection, 12).AsSpan(0, 5));
            connection.Shutdown(SocketShutdown.Both);
        });

        using var client = SampleProcess.StartSample("TcpEchoClient", "--port", Text(port));
        client.WaitForExit(ExitTimeout).Should().Be(1);
        client.Stdout.Should().Equal("Connection lost - goodbye!");
        client.Stderr.Should().ContainSingle().Which.Should().Be("The whole message did not come back: Connection was closed cleanly.");
        server.Finish();
    }

    [Fact]
    public void SIGTERM_while_waiting_for_the_echo_closes_the_connection_says_goodbye_and_exits_with_1()
    {
        using var listener = Listen(out var port);
        using var heard = new ManualResetEventSlim();
        var server = ServeOnce(listener, connection =>
        {
            // Take the message, never answer, and wait for the client to go.
            TcpClients.ReceiveExactly(connection, 12);
            heard.Set();
            TcpClients.ReceiveToEnd(connection).Should().BeEmpty();
        });

        using var client = SampleProcess.StartSample("TcpEchoClient", "--port", Text(port));
        heard.Wait(ExitTimeout).Should().BeTrue("the client must connect and send its message");
        client.Terminate();
        client.WaitForExit(ExitTimeout).Should().Be(1);
        client.Stdout.Should().Equal("Connection lost - goodbye!");
        client.Stderr.Should().Equal("The whole message did not come back: The reactor shut down with the connection open.");
        server.Finish();
    }

    [Fact]
    public void TcpEchoClient_to_a_closed_port_prints_connection_failed_and_exits_with_1()
    {
        Listen(out var closedPort).Dispose();

        using var client = SampleProcess.StartSample("TcpEchoClient", "--port", Text(closedPort));
        client.WaitForExit(ExitTimeout).Should().Be(1);
        client.Stdout.Should().Equal("Connection failed - goodbye!");
        client.Stderr.Should().ContainSingle().Which.Should().Contain("Connection was refused");
    }

    [LinuxFact]
    public void A_connection_that_is_not_made_within_the_timeout_prints_connection_failed_once_it_has_run_out()
    {
        // No answer at all, as from a host that is down: a loopback listener whose full accept queue makes Linux drop SYNs.
        using var silent = new SilentListener();
        var clock = Stopwatch.StartNew();
        using var client = SampleProcess.StartSample("TcpEchoClient", "--port", Text(silent.Endpoint.Port), "--timeout", "1");
        client.WaitForExit(ExitTimeout).Should().Be(1);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), "it waits for the whole timeout")
            .And.BeLessThan(TimeSpan.FromSeconds(15), "and not for the kernel's own (minutes of SYN retries)");
        client.Stdout.Should().Equal("Connection failed - goodbye!");
        client.Stderr.Should().ContainSingle().Which.Should().Contain("User timeout caused connection failure");
    }

    [RequiresNetworkNamespaceFact]
    public void A_host_name_that_does_not_resolve_prints_connection_failed_and_exits_with_1()
    {
        // Run inside a new, empty network namespace so the failed lookup cannot send anything off this machine.
        var dll = SampleProcess.SampleDll("TcpEchoClient");
        using var client = SampleProcess.Start("unshare", ["-rn", "dotnet", dll, "--host", "no-such-host.invalid", "--timeout", "10"]);
        client.WaitForExit(TimeSpan.FromSeconds(60)).Should().Be(1);
        client.Stdout.Should().Equal("Connection failed - goodbye!");
        client.Stderr.Should().ContainSingle().Which.Should().Contain("no-such-host.invalid");
    }

    private static Socket Listen(out int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        return listener;
    }

    /// <summary>Accepts one connection on a thread of its own and runs <paramref name="serve"/> on it (bounded by the sockets' timeouts).</summary>
    private static Server ServeOnce(Socket listener, Action<Socket> serve)
    {
        var server = new Server();
        var thread = new Thread(() =>
        {
            try
            {
                listener.Poll(ExitTimeout, SelectMode.SelectRead).Should().BeTrue("the sample must connect");
                using var connection = listener.Accept();
                connection.NoDelay = true;
                connection.ReceiveTimeout = connection.SendTimeout = (int)ExitTimeout.TotalMilliseconds;
                serve(connection);
            }
            catch (Exception e)
            {
                server.Failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "test TCP server",
        };
        server.Thread = thread;
        thread.Start();
        return server;
    }

    /// <summary>A one-connection server run by <see cref="ServeOnce"/>.</summary>
    private sealed class Server
    {
        public Thread? Thread { get; set; }

        public Exception? Failure { get; set; }

        /// <summary>Waits for the server to finish (bounded) and fails the test with its exception, if it had one.</summary>
        public void Finish()
        {
            Thread!.Join(ExitTimeout).Should().BeTrue("the test server must finish");
            if (Failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(Failure).Throw();
            }
        }
    }
}
