// The chat server of Twisted's "Writing Servers" howto, on LineReceiver: a client picks a name, then every line it sends
// reaches every other client as "<name> line".
//
//   dotnet run --project samples/Chat -- [--port 8123] [--interface 0.0.0.0]
//
// Prints "Chat starting on <port>" once listening (so --port 0 is usable). To a new client it sends "What's your name?";
// a name in use gets "Name taken, please choose another.", any other "Welcome, <name>!". A client that leaves frees its
// name. Lines end with "\r\n" both ways; a bare "\n" does not end a line (it stays part of it, as in Twisted's
// LineReceiver). Ctrl+C or SIGTERM stops it cleanly.
using System.Net;
using System.Text;
using Reactor;
using Reactor.Protocols;
using Reactor.Samples;

var arguments = SampleArguments.Parse(args, "usage: Chat [--port 8123] [--interface 0.0.0.0]", ["--port", "--interface"]);
var port = arguments.GetInt("--port", 8123, 0, 65535);
var @interface = arguments.Get("--interface", "0.0.0.0");

using var reactor = ReactorFactory.Create(new ReactorOptions { HandleSignals = true });
try
{
    var listening = reactor.ListenTcp(port, new ChatFactory(), @interface: @interface);
    Console.WriteLine($"Chat starting on {listening.GetHost().Port}");
}
catch (Exception e) when (e is CannotListenException or InvalidAddressException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

reactor.Run();
return 0;

/// <summary>The howto's <c>ChatFactory</c>: the users, by name, shared by every connection.</summary>
internal sealed class ChatFactory : Factory
{
    private readonly Dictionary<string, Chat> _users = new(StringComparer.Ordinal);

    public override Protocol BuildProtocol(EndPoint address) => new Chat(_users);
}

/// <summary>The howto's <c>Chat</c> protocol: GETNAME until a free name is chosen, then CHAT.</summary>
internal sealed class Chat(Dictionary<string, Chat> users) : LineReceiver
{
    // Names are kept as the client sent them; Latin-1 maps each byte to one char, so any bytes make a key.
    private static readonly Encoding Bytes = Encoding.Latin1;
    private string? _name;

    public override void ConnectionMade() => SendLine("What's your name?"u8);

    public override void ConnectionLost(Failure reason)
    {
        if (_name is not null && users.TryGetValue(_name, out var user) && user == this)
        {
            users.Remove(_name);
        }
    }

    public override void LineReceived(ReadOnlySpan<byte> line)
    {
        if (_name is null)
        {
            HandleGetName(line);
        }
        else
        {
            HandleChat(line);
        }
    }

    private void HandleGetName(ReadOnlySpan<byte> line)
    {
        var name = Bytes.GetString(line);
        if (users.ContainsKey(name))
        {
            SendLine("Name taken, please choose another."u8);
            return;
        }

        SendLine([.. "Welcome, "u8, .. line, .. "!"u8]);
        _name = name;
        users[name] = this;
    }

    private void HandleChat(ReadOnlySpan<byte> line)
    {
        byte[] message = [.. "<"u8, .. Bytes.GetBytes(_name!), .. "> "u8, .. line];
        foreach (var user in users.Values)
        {
            if (user != this)
            {
                user.SendLine(message);
            }
        }
    }
}
