using System.Text;
using Reactor.Testing;

namespace Reactor.Fuzz;

/// <summary>What a receiver handed its protocol, in order: the thing the framing targets compare with a reference parse.</summary>
public sealed class FrameEvents
{
    private readonly List<(string Kind, byte[] Bytes)> _events = [];

    /// <summary>The events so far.</summary>
    public IReadOnlyList<(string Kind, byte[] Bytes)> Items => _events;

    /// <summary>Records one event; consecutive <c>raw</c> events are merged (where reads cut raw data is not part of the contract).</summary>
    /// <param name="kind">What happened: <c>frame</c>, <c>raw</c>, or a limit callback's name.</param>
    /// <param name="bytes">Its bytes (copied).</param>
    public void Add(string kind, ReadOnlySpan<byte> bytes)
    {
        if (kind == "raw" && _events.Count > 0 && _events[^1].Kind == "raw")
        {
            _events[^1] = ("raw", [.. _events[^1].Bytes, .. bytes]);
            return;
        }

        _events.Add((kind, bytes.ToArray()));
    }

    /// <summary>Shows bytes for a failure message: printable ASCII as is, the rest as \xNN, at most 80 bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text.</returns>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 80)])
        {
            text.Append(b is >= 0x20 and < 0x7F and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return bytes.Length > 80 ? $"{text}… ({bytes.Length} bytes)" : text.ToString();
    }

    /// <summary>
    /// Throws unless the events equal <paramref name="expected"/>, kind by kind and byte by byte — except that an event
    /// whose kind is in <paramref name="prefixKinds"/> (a limit callback given "everything buffered", which depends on
    /// where reads were cut) only has to be a prefix of the expected bytes at least <paramref name="minimumPrefix"/> long.
    /// </summary>
    /// <param name="expected">The reference parse's events.</param>
    /// <param name="prefixKinds">The kinds compared as prefixes.</param>
    /// <param name="minimumPrefix">The shortest such prefix allowed.</param>
    /// <exception cref="FuzzInvariantException">They differ.</exception>
    public void ShouldEqual(FrameEvents expected, IReadOnlyCollection<string> prefixKinds, int minimumPrefix)
    {
        var count = Math.Max(_events.Count, expected._events.Count);
        for (var i = 0; i < count; i++)
        {
            if (i >= _events.Count)
            {
                throw new FuzzInvariantException($"event {i}: expected {expected._events[i].Kind} '{Show(expected._events[i].Bytes)}', but the receiver delivered nothing more");
            }

            if (i >= expected._events.Count)
            {
                throw new FuzzInvariantException($"event {i}: the receiver delivered {_events[i].Kind} '{Show(_events[i].Bytes)}' after everything the reference parse found");
            }

            var (kind, bytes) = _events[i];
            var (expectedKind, expectedBytes) = expected._events[i];
            FuzzInvariantException.Check(kind == expectedKind,
                $"event {i}: expected {expectedKind} '{Show(expectedBytes)}', got {kind} '{Show(bytes)}'");
            var same = prefixKinds.Contains(kind)
                ? bytes.Length >= minimumPrefix && expectedBytes.AsSpan().StartsWith(bytes)
                : bytes.AsSpan().SequenceEqual(expectedBytes);
            FuzzInvariantException.Check(same, $"event {i} ({kind}): expected '{Show(expectedBytes)}', got '{Show(bytes)}'");
        }
    }

    /// <summary>Throws if a protocol callback threw (the fake transport catches and keeps those, as a real one logs them).</summary>
    /// <param name="transport">The transport.</param>
    /// <exception cref="FuzzInvariantException">One did; it is the inner exception.</exception>
    public static void NoCallbackErrors(FakeStreamTransport transport)
    {
        if (transport.CallbackErrors.Count > 0)
        {
            var error = transport.CallbackErrors[0];
            throw new FuzzInvariantException($"a protocol callback threw {error.GetType().Name}: {error.Message}", error);
        }
    }
}
