using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Reactor.Protocols;

namespace Reactor.Samples.KeyValue;

/// <summary>
/// One client connection of the key-value server: RESP2 requests framed by <see cref="FrameReceiver"/> and parsed by
/// <see cref="RespRequestParser"/>, answered in order (so pipelined requests are answered in one send per read). Replies
/// and errors use redis-server 7's wording.
/// </summary>
internal sealed class RespServer : FrameReceiver
{
    private readonly KeyValueStore _store;
    private readonly Action? _counted;
    private readonly RespRequestParser _parser = new();

    public RespServer(KeyValueStore store, Action? counted)
    {
        _store = store;
        _counted = counted;

        // A whole request may be buffered: room for the largest bulk string and then some (Redis's own limit is 1 GB).
        MaxBufferedLength = 2 * RespRequestParser.MaxBulkLength;
    }

    protected override int FramesReceived(ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        while (Transport is not { Disconnecting: true })
        {
            var request = data[consumed..];
            switch (_parser.Parse(request, out var length))
            {
                case RespParseStatus.Incomplete:
                    return consumed;
                case RespParseStatus.Error:
                    // As redis-server: the error, then the connection is closed (after the reply is sent).
                    Error("ERR " + _parser.Error);
                    Transport!.LoseConnection();
                    return data.Length;
            }

            consumed += length;
            if (_parser.Arguments.Count > 0)
            {
                _counted?.Invoke();
                Execute(request, _parser.Arguments);
            }
        }

        return consumed;
    }

    public override void BufferLimitExceeded(int length)
    {
        Error("ERR Protocol error: query buffer limit exceeded");
        base.BufferLimitExceeded(length);
    }

    private void Execute(ReadOnlySpan<byte> request, IReadOnlyList<Range> args)
    {
        var name = request[args[0]];
        var argc = args.Count;
        if (Is(name, "GET"u8))
        {
            if (Arity(name, argc == 2))
            {
                BulkOrNil(_store.TryGet(request[args[1]], out var value), value);
            }
        }
        else if (Is(name, "SET"u8))
        {
            if (Arity(name, argc >= 3))
            {
                Set(request, args);
            }
        }
        else if (Is(name, "PING"u8))
        {
            if (Arity(name, argc <= 2))
            {
                if (argc == 1)
                {
                    Raw("+PONG\r\n"u8);
                }
                else
                {
                    Bulk(request[args[1]]);
                }
            }
        }
        else if (Is(name, "INCR"u8) || Is(name, "DECR"u8))
        {
            if (Arity(name, argc == 2))
            {
                IncrementBy(request[args[1]], Is(name, "INCR"u8) ? 1 : -1);
            }
        }
        else if (Is(name, "INCRBY"u8))
        {
            if (Arity(name, argc == 3))
            {
                if (TryParseInteger(request[args[2]], out var increment))
                {
                    IncrementBy(request[args[1]], increment);
                }
                else
                {
                    Error("ERR value is not an integer or out of range");
                }
            }
        }
        else if (Is(name, "MGET"u8))
        {
            if (Arity(name, argc >= 2))
            {
                ArrayHeader(argc - 1);
                for (var i = 1; i < argc; i++)
                {
                    BulkOrNil(_store.TryGet(request[args[i]], out var value), value);
                }
            }
        }
        else if (Is(name, "MSET"u8))
        {
            if (Arity(name, argc >= 3 && argc % 2 == 1))
            {
                for (var i = 1; i < argc; i += 2)
                {
                    _store.Set(request[args[i]], request[args[i + 1]]);
                }

                Raw("+OK\r\n"u8);
            }
        }
        else if (Is(name, "DEL"u8) || Is(name, "EXISTS"u8))
        {
            if (Arity(name, argc >= 2))
            {
                var delete = Is(name, "DEL"u8);
                var count = 0;
                for (var i = 1; i < argc; i++)
                {
                    count += (delete ? _store.Delete(request[args[i]]) : _store.Exists(request[args[i]])) ? 1 : 0;
                }

                Integer(count);
            }
        }
        else if (Is(name, "ECHO"u8))
        {
            if (Arity(name, argc == 2))
            {
                Bulk(request[args[1]]);
            }
        }
        else if (Is(name, "KEYS"u8))
        {
            if (Arity(name, argc == 2))
            {
                var keys = _store.Keys(request[args[1]]);
                ArrayHeader(keys.Count);
                foreach (var key in keys)
                {
                    Bulk(key);
                }
            }
        }
        else if (Is(name, "DBSIZE"u8))
        {
            if (Arity(name, argc == 1))
            {
                Integer(_store.Count());
            }
        }
        else if (Is(name, "FLUSHALL"u8) || Is(name, "FLUSHDB"u8))
        {
            _store.Clear();
            Raw("+OK\r\n"u8);
        }
        else if (Is(name, "QUIT"u8))
        {
            Raw("+OK\r\n"u8);
            Transport!.LoseConnection();
        }
        else if (Is(name, "CONFIG"u8))
        {
            Config(request, args);
        }
        else if (Is(name, "COMMAND"u8))
        {
            // redis-cli asks for command docs in interactive mode; an empty reply means "no hints".
            Raw("*0\r\n"u8);
        }
        else
        {
            UnknownCommand(request, args);
        }
    }

    private void Set(ReadOnlySpan<byte> request, IReadOnlyList<Range> args)
    {
        double? ttl = null;
        bool onlyIfAbsent = false, onlyIfPresent = false;
        for (var i = 3; i < args.Count; i++)
        {
            var option = request[args[i]];
            if ((Is(option, "EX"u8) || Is(option, "PX"u8)) && i + 1 < args.Count && ttl is null)
            {
                if (!TryParseInteger(request[args[++i]], out var amount))
                {
                    Error("ERR value is not an integer or out of range");
                    return;
                }

                if (amount <= 0)
                {
                    Error("ERR invalid expire time in 'set' command");
                    return;
                }

                ttl = Is(option, "EX"u8) ? amount : amount / 1000.0;
            }
            else if (Is(option, "NX"u8) && !onlyIfPresent)
            {
                onlyIfAbsent = true;
            }
            else if (Is(option, "XX"u8) && !onlyIfAbsent)
            {
                onlyIfPresent = true;
            }
            else
            {
                Error("ERR syntax error");
                return;
            }
        }

        var key = request[args[1]];
        if ((onlyIfAbsent || onlyIfPresent) && _store.Exists(key) != onlyIfPresent)
        {
            Raw("$-1\r\n"u8);
            return;
        }

        _store.Set(key, request[args[2]], ttl);
        Raw("+OK\r\n"u8);
    }

    private void IncrementBy(ReadOnlySpan<byte> key, long increment)
    {
        long current = 0;
        if (_store.TryGet(key, out var value) && !TryParseInteger(value, out current))
        {
            Error("ERR value is not an integer or out of range");
            return;
        }

        if ((increment > 0 && current > long.MaxValue - increment) || (increment < 0 && current < long.MinValue - increment))
        {
            Error("ERR increment or decrement would overflow");
            return;
        }

        var result = current + increment;
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(result, digits, out var written);
        _store.Set(key, digits[..written]);
        Integer(result);
    }

    private void Config(ReadOnlySpan<byte> request, IReadOnlyList<Range> args)
    {
        if (args.Count < 2 || !Is(request[args[1]], "GET"u8))
        {
            Error(args.Count < 2 ? "ERR wrong number of arguments for 'config' command" : "ERR unknown subcommand or wrong number of arguments for 'config'");
            return;
        }

        if (args.Count < 3)
        {
            Error("ERR wrong number of arguments for 'config|get' command");
            return;
        }

        // Enough for redis-benchmark's start-up probe (CONFIG GET save, CONFIG GET appendonly): no persistence.
        var parameter = request[args[2]];
        if (Is(parameter, "save"u8) || Is(parameter, "appendonly"u8))
        {
            ArrayHeader(2);
            Bulk(Is(parameter, "save"u8) ? "save"u8 : "appendonly"u8);
            Bulk(Is(parameter, "save"u8) ? ""u8 : "no"u8);
        }
        else
        {
            Raw("*0\r\n"u8);
        }
    }

    private void UnknownCommand(ReadOnlySpan<byte> request, IReadOnlyList<Range> args)
    {
        // redis-server: "unknown command '%.128s', with args beginning with: " then "'%.128s' " for each argument.
        var message = new StringBuilder("ERR unknown command '");
        message.Append(Printable(request[args[0]])).Append("', with args beginning with: ");
        for (var i = 1; i < args.Count && message.Length < 128; i++)
        {
            message.Append('\'').Append(Printable(request[args[i]])).Append("' ");
        }

        Error(message.ToString());
    }

    private bool Arity(ReadOnlySpan<byte> name, bool ok)
    {
        if (!ok)
        {
            Error($"ERR wrong number of arguments for '{Printable(name).ToLowerInvariant()}' command");
        }

        return ok;
    }

    private static bool Is(ReadOnlySpan<byte> word, ReadOnlySpan<byte> name) => System.Text.Ascii.EqualsIgnoreCase(word, name);

    private static bool TryParseInteger(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && text.Length > 0;

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.Latin1.GetString(bytes[..Math.Min(bytes.Length, 128)]);
        return text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
    }

    // ---- Replies (RESP2), each one write: inside the dispatch the writes of one read leave with one send -----------

    private void Raw(ReadOnlySpan<byte> reply) => Transport!.Write(reply);

    private void Error(string message) => Raw(Encoding.UTF8.GetBytes("-" + message + "\r\n"));

    private void Integer(long value) => Line((byte)':', value);

    private void ArrayHeader(int count) => Line((byte)'*', count);

    private void BulkOrNil(bool found, byte[]? value)
    {
        if (found)
        {
            Bulk(value);
        }
        else
        {
            Raw("$-1\r\n"u8);
        }
    }

    private void Bulk(ReadOnlySpan<byte> value)
    {
        var total = value.Length + 24;
        byte[]? rented = null;
        var reply = total <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(total));
        reply[0] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, reply[1..], out var digits);
        var at = 1 + digits;
        "\r\n"u8.CopyTo(reply[at..]);
        value.CopyTo(reply[(at + 2)..]);
        at += 2 + value.Length;
        "\r\n"u8.CopyTo(reply[at..]);
        Raw(reply[..(at + 2)]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Line(byte type, long value)
    {
        Span<byte> line = stackalloc byte[24];
        line[0] = type;
        Utf8Formatter.TryFormat(value, line[1..], out var digits);
        "\r\n"u8.CopyTo(line[(1 + digits)..]);
        Raw(line[..(digits + 3)]);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"<RespServer {BufferedLength} buffered>");
}
