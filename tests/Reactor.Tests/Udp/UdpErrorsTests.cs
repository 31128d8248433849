using System.Net.Sockets;
using Reactor.Internal.Udp;

namespace Reactor.Tests.Udp;

/// <summary>
/// <see cref="UdpErrors"/>, the one table of what a socket error means to a UDP port: Twisted's read lists, and the
/// project decisions for writes (D2, D3, D8). The port, the portable socket and the epoll send batch all ask it.
/// </summary>
/// <remarks>The expected kind is passed by name: a public test method cannot take the internal enum.</remarks>
public class UdpErrorsTests
{
    [Theory]
    [InlineData(SocketError.Success, nameof(UdpErrorKind.Ignore))]
    [InlineData(SocketError.WouldBlock, nameof(UdpErrorKind.Ignore))]
    [InlineData(SocketError.Interrupted, nameof(UdpErrorKind.Ignore))]
    [InlineData(SocketError.OperationAborted, nameof(UdpErrorKind.Ignore))]
    [InlineData(SocketError.ConnectionRefused, nameof(UdpErrorKind.Refused))]
    [InlineData(SocketError.ConnectionReset, nameof(UdpErrorKind.Refused))]
    [InlineData(SocketError.NetworkReset, nameof(UdpErrorKind.Refused))]
    [InlineData(SocketError.NoBufferSpaceAvailable, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.MessageSize, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.SocketError, nameof(UdpErrorKind.Drop))]
    public void A_read_error_is_ignored_refused_or_logged(SocketError error, string expected) =>
        UdpErrors.Classify(error, UdpOperation.Receive).ToString().Should().Be(expected);

    [Theory]
    [InlineData(SocketError.WouldBlock, nameof(UdpErrorKind.Transient))]
    [InlineData(SocketError.NoBufferSpaceAvailable, nameof(UdpErrorKind.Transient))]
    [InlineData(SocketError.Interrupted, nameof(UdpErrorKind.Transient))]
    [InlineData(SocketError.ConnectionRefused, nameof(UdpErrorKind.Refused))]
    [InlineData(SocketError.ConnectionReset, nameof(UdpErrorKind.Refused))]
    [InlineData(SocketError.MessageSize, nameof(UdpErrorKind.CallerError))]
    [InlineData(SocketError.AccessDenied, nameof(UdpErrorKind.CallerError))]
    [InlineData(SocketError.InvalidArgument, nameof(UdpErrorKind.CallerError))]
    [InlineData(SocketError.AddressFamilyNotSupported, nameof(UdpErrorKind.CallerError))]
    [InlineData(SocketError.DestinationAddressRequired, nameof(UdpErrorKind.CallerError))]
    [InlineData(SocketError.NetworkUnreachable, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.HostUnreachable, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.OperationAborted, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.SocketError, nameof(UdpErrorKind.Drop))]
    public void A_send_error_inside_Write_is_transient_refused_the_callers_or_dropped(SocketError error, string expected) =>
        UdpErrors.Classify(error, UdpOperation.Send).ToString().Should().Be(expected);

    [Theory]
    [InlineData(SocketError.WouldBlock, nameof(UdpErrorKind.Transient))]
    [InlineData(SocketError.NoBufferSpaceAvailable, nameof(UdpErrorKind.Transient))]
    [InlineData(SocketError.ConnectionRefused, nameof(UdpErrorKind.Refused))]
    [InlineData(SocketError.MessageSize, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.AccessDenied, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.InvalidArgument, nameof(UdpErrorKind.Drop))]
    [InlineData(SocketError.NetworkUnreachable, nameof(UdpErrorKind.Drop))]
    public void A_deferred_send_has_no_caller_to_throw_to_so_its_caller_errors_are_drops(SocketError error, string expected) =>
        UdpErrors.Classify(error, UdpOperation.DeferredSend).ToString().Should().Be(expected);
}
