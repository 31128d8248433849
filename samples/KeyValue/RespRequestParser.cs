using System.Buffers.Text;

namespace Reactor.Samples.KeyValue;

/// <summary>What <see cref="RespRequestParser.Parse"/> found at the start of the bytes it was given.</summary>
internal enum RespParseStatus
{
    /// <summary>Not a whole request yet: call again with the same bytes and more.</summary>
    Incomplete,

    /// <summary>A whole request: <see cref="RespRequestParser.Arguments"/> holds its arguments.</summary>
    Complete,

    /// <summary>Not RESP: <see cref="RespRequestParser.Error"/> says why (a Redis client is sent it and the connection closed).</summary>
    Error,
}

/// <summary>
/// An incremental parser of Redis client requests (RESP2): multibulk arrays of bulk strings
/// (<c>*2\r\n$3\r\nGET\r\n$1\r\nk\r\n</c>) and inline commands (<c>GET k\r\n</c>), as redis-server's
/// <c>processMultibulkBuffer</c> and <c>processInlineBuffer</c> read them. It allocates nothing per request: the
/// arguments are ranges into the caller's bytes.
/// </summary>
/// <remarks>
/// <para>Give <see cref="Parse"/> the bytes not yet consumed, always starting at the request's first byte. When the
/// request is not complete it says so and remembers how far it got, so a large request arriving in many reads is read
/// once, not again from its start each time. After <see cref="RespParseStatus.Complete"/> the next call starts a new
/// request; after <see cref="RespParseStatus.Error"/> the stream cannot be trusted and the parser stays failed.</para>
/// <para><b>Limits</b> (each one is an error, never a large allocation): a bulk string of at most
/// <see cref="MaxBulkLength"/> bytes (64 MiB; Redis allows 512 MB), at most <see cref="MaxArguments"/> arguments
/// (1,048,576), and length lines and inline requests of at most <see cref="MaxInlineLength"/> bytes (64 KiB, Redis's).
/// Error messages are Redis's own.</para>
/// <para>Depends on nothing but the base library, so a fuzzer or a client can take the file as it is.</para>
/// </remarks>
internal sealed class RespRequestParser
{
    public const int MaxBulkLength = 64 << 20;
    public const int MaxArguments = 1 << 20;
    public const int MaxInlineLength = 64 << 10;

    private readonly List<Range> _arguments = [];
    private readonly int _maxBulkLength;
    private readonly int _maxArguments;
    private readonly int _maxInlineLength;

    // Where the request stands: the arguments announced (-1: no header read yet), how many bytes of it are read, and
    // the length of the bulk string whose "$n" line was read but not its data (-1: none).
    private int _expected = -1;
    private int _offset;
    private int _bulkLength = -1;
    private int _searchedInline;

    /// <summary>A parser with Redis's limits, or smaller ones (a fuzzer reaches each limit's code with small inputs).</summary>
    /// <param name="maxBulkLength">The longest bulk string, in bytes.</param>
    /// <param name="maxArguments">The most arguments in a request.</param>
    /// <param name="maxInlineLength">The longest length line or inline request, in bytes.</param>
    public RespRequestParser(int maxBulkLength = MaxBulkLength, int maxArguments = MaxArguments, int maxInlineLength = MaxInlineLength)
    {
        _maxBulkLength = maxBulkLength;
        _maxArguments = maxArguments;
        _maxInlineLength = maxInlineLength;
    }

    /// <summary>The request's arguments, as ranges into the bytes given to <see cref="Parse"/> (valid after <see cref="RespParseStatus.Complete"/>).</summary>
    public IReadOnlyList<Range> Arguments => _arguments;

    /// <summary>The error after <see cref="RespParseStatus.Error"/>: Redis's wording, such as <c>Protocol error: invalid bulk length</c>.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Parses the request at the start of <paramref name="data"/>. On <see cref="RespParseStatus.Complete"/>,
    /// <paramref name="consumed"/> is its length in bytes; an empty inline line or <c>*0</c> is a complete request with
    /// no arguments, which a server skips.
    /// </summary>
    public RespParseStatus Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        if (Error is not null)
        {
            return RespParseStatus.Error;
        }

        if (data.IsEmpty)
        {
            return RespParseStatus.Incomplete;
        }

        var status = _expected < 0 && data[0] != (byte)'*' ? ParseInline(data, out consumed) : ParseMultibulk(data, out consumed);
        if (status == RespParseStatus.Complete)
        {
            _expected = -1;
            _offset = 0;
            _bulkLength = -1;
            _searchedInline = 0;
        }

        return status;
    }

    private RespParseStatus ParseInline(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        var newline = data[_searchedInline..].IndexOf((byte)'\n');
        if (newline < 0)
        {
            _searchedInline = data.Length;
            return data.Length > _maxInlineLength ? Fail("Protocol error: too big inline request") : RespParseStatus.Incomplete;
        }

        newline += _searchedInline;
        if (newline > _maxInlineLength)
        {
            // Refused whether or not its end came in the same read: the limit does not depend on where reads are cut.
            return Fail("Protocol error: too big inline request");
        }

        var end = newline > 0 && data[newline - 1] == (byte)'\r' ? newline - 1 : newline;
        _arguments.Clear();
        var at = 0;
        while (at < end)
        {
            while (at < end && data[at] is (byte)' ' or (byte)'\t')
            {
                at++;
            }

            var start = at;
            while (at < end && data[at] is not ((byte)' ' or (byte)'\t'))
            {
                at++;
            }

            if (at > start)
            {
                _arguments.Add(start..at);
            }
        }

        consumed = newline + 1;
        return RespParseStatus.Complete;
    }

    private RespParseStatus ParseMultibulk(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        if (_expected < 0)
        {
            var header = ReadLengthLine(data, 0, out var count, out var next, "Protocol error: too big mbulk count string");
            if (header != RespParseStatus.Complete)
            {
                return header;
            }

            if (count > _maxArguments)
            {
                return Fail("Protocol error: invalid multibulk length");
            }

            _arguments.Clear();
            _expected = (int)Math.Max(count, 0);
            _offset = next;
        }

        while (_arguments.Count < _expected)
        {
            if (_bulkLength < 0)
            {
                if (_offset >= data.Length)
                {
                    return RespParseStatus.Incomplete;
                }

                if (data[_offset] != (byte)'$')
                {
                    return Fail($"Protocol error: expected '$', got '{(char)data[_offset]}'");
                }

                var line = ReadLengthLine(data, _offset, out var length, out var next, "Protocol error: too big bulk count string");
                if (line != RespParseStatus.Complete)
                {
                    return line;
                }

                if (length < 0 || length > _maxBulkLength)
                {
                    return Fail("Protocol error: invalid bulk length");
                }

                _bulkLength = (int)length;
                _offset = next;
            }

            // The data and its "\r\n" (skipped unchecked, as redis-server does).
            if (data.Length - _offset < _bulkLength + 2L)
            {
                return RespParseStatus.Incomplete;
            }

            _arguments.Add(_offset..(_offset + _bulkLength));
            _offset += _bulkLength + 2;
            _bulkLength = -1;
        }

        consumed = _offset;
        return RespParseStatus.Complete;
    }

    /// <summary>Reads "<c>*n\r\n</c>" or "<c>$n\r\n</c>" at <paramref name="at"/>: the number, and where the next byte is.</summary>
    private RespParseStatus ReadLengthLine(ReadOnlySpan<byte> data, int at, out long value, out int next, string tooBig)
    {
        value = 0;
        next = 0;
        var carriageReturn = data[at..].IndexOf((byte)'\r');
        if (carriageReturn < 0)
        {
            return data.Length - at > _maxInlineLength ? Fail(tooBig) : RespParseStatus.Incomplete;
        }

        if (carriageReturn > _maxInlineLength)
        {
            return Fail(tooBig); // whether or not the '\r' came in the same read, as for an inline request
        }

        if (at + carriageReturn + 1 >= data.Length)
        {
            return RespParseStatus.Incomplete; // the '\n' has not arrived
        }

        var digits = data.Slice(at + 1, carriageReturn - 1);
        if (!Utf8Parser.TryParse(digits, out value, out var used) || used != digits.Length)
        {
            return Fail(data[at] == (byte)'*' ? "Protocol error: invalid multibulk length" : "Protocol error: invalid bulk length");
        }

        next = at + carriageReturn + 2;
        return RespParseStatus.Complete;
    }

    private RespParseStatus Fail(string error)
    {
        Error = error;
        return RespParseStatus.Error;
    }
}
