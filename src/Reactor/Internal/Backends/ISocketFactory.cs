using System.Net.Sockets;
using Reactor.Internal.Streams;
using Reactor.Internal.Udp;

namespace Reactor.Internal.Backends;

/// <summary>
/// One backend's operating-system sockets: the only place a transport gets a socket from, so the transports never name
/// a backend and tests can hand a reactor fakes by replacing this object (<see cref="ReactorBase.Sockets"/>).
/// </summary>
/// <remarks>
/// Each backend implements it in one small class beside its sockets (<c>EpollSocketFactory</c>,
/// <c>PortableSocketFactory</c>). A create method throws <see cref="SocketException"/> when the OS refuses (for
/// example, out of descriptors); everything after creation reports errors as <see cref="SocketError"/> values.
/// </remarks>
internal interface ISocketFactory
{
    /// <summary>A new non-blocking, close-on-exec UDP socket of <paramref name="family"/>, not yet bound.</summary>
    IDatagramSocket CreateDatagramSocket(AddressFamily family);

    /// <summary>A new non-blocking, close-on-exec stream socket of <paramref name="family"/>, for an outgoing connection.</summary>
    IStreamSocket CreateStreamSocket(AddressFamily family);

    /// <summary>A new non-blocking, close-on-exec stream socket of <paramref name="family"/>, to listen on.</summary>
    IListenSocket CreateListenSocket(AddressFamily family);

    /// <summary>
    /// Wraps <paramref name="descriptor"/>, a listening stream socket of <paramref name="family"/> that is already
    /// non-blocking and close-on-exec (a duplicate the reactor made); the returned socket owns it.
    /// </summary>
    IListenSocket AdoptListenSocket(int descriptor, AddressFamily family) =>
        throw new NotSupportedException($"{GetType().Name} cannot adopt sockets.");

    /// <summary>Wraps <paramref name="descriptor"/>, a connected stream socket (as <see cref="AdoptListenSocket"/>).</summary>
    IStreamSocket AdoptStreamSocket(int descriptor, AddressFamily family) =>
        throw new NotSupportedException($"{GetType().Name} cannot adopt sockets.");

    /// <summary>Wraps <paramref name="descriptor"/>, a bound UDP socket (as <see cref="AdoptListenSocket"/>).</summary>
    IDatagramSocket AdoptDatagramSocket(int descriptor, AddressFamily family) =>
        throw new NotSupportedException($"{GetType().Name} cannot adopt sockets.");
}
