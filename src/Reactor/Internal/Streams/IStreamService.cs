namespace Reactor.Internal.Streams;

/// <summary>
/// Something that owes work after the current dispatch or callback — a connection's gathered writes, a TLS layer's
/// records to encrypt — and asks the <see cref="StreamLoop"/> for it with <see cref="StreamLoop.RequestService"/>.
/// </summary>
internal interface IStreamService
{
    /// <summary>Set by the <see cref="StreamLoop"/> while this waits for its <see cref="Service"/>.</summary>
    bool ServiceRequested { get; set; }

    /// <summary>Does what is owed. Never called from inside a protocol's own call.</summary>
    void Service();
}
