using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Reactor.Internal.Backends.Epoll;
using Reactor.Internal.Linux;

namespace Reactor.Tests.Backends.Epoll;

/// <summary>The native layouts and translations under the epoll datagram socket (pure data: run on every OS).</summary>
public class EpollSocketInteropTests
{
    [Fact]
    public unsafe void Message_headers_have_the_64_bit_Linux_layout()
    {
        // x86-64 and arm64 share this layout; a 32-bit process gets the 32-bit one from natural alignment.
        Environment.Is64BitProcess.Should().BeTrue("the supported Linux targets are x86-64 and arm64");

        sizeof(Interop.IoVector).Should().Be(16);
        sizeof(Interop.MessageHeader).Should().Be(56);
        sizeof(Interop.MultiMessageHeader).Should().Be(64);
        Offset<Interop.MessageHeader>(nameof(Interop.MessageHeader.Name)).Should().Be(0);
        Offset<Interop.MessageHeader>(nameof(Interop.MessageHeader.NameLength)).Should().Be(8);
        Offset<Interop.MessageHeader>(nameof(Interop.MessageHeader.IoVectors)).Should().Be(16);
        Offset<Interop.MessageHeader>(nameof(Interop.MessageHeader.IoVectorCount)).Should().Be(24);
        Offset<Interop.MessageHeader>(nameof(Interop.MessageHeader.Control)).Should().Be(32);
        Offset<Interop.MessageHeader>(nameof(Interop.MessageHeader.ControlLength)).Should().Be(40);
        Offset<Interop.MessageHeader>(nameof(Interop.MessageHeader.Flags)).Should().Be(48);
        Offset<Interop.MultiMessageHeader>(nameof(Interop.MultiMessageHeader.Length)).Should().Be(56);
    }

    [Theory]
    [InlineData(8192, 64)]
    [InlineData(65536, 64)]
    [InlineData(100, 64)]
    [InlineData(1_000_000, 4)]
    [InlineData(8_000_000, 1)]
    [InlineData(0, 64)]
    public unsafe void A_receive_batch_reserves_up_to_4_MiB_of_buffers_in_1_to_64_messages(int bufferSize, int expectedCount)
    {
        using var batch = new MessageBatch(bufferSize);

        batch.Count.Should().Be(expectedCount);
        batch.BufferSize.Should().Be(bufferSize);
        for (var i = 0; i < batch.Count; i++)
        {
            var header = batch.Messages[i].Header;
            header.IoVectorCount.Should().Be(1);
            header.IoVectors->Length.Should().Be((nuint)bufferSize);
            header.NameLength.Should().Be((uint)Interop.SockAddrStorageSize);
        }
    }

    [Theory]
    [InlineData(Errno.EADDRINUSE, SocketError.AddressAlreadyInUse)]
    [InlineData(Errno.EADDRNOTAVAIL, SocketError.AddressNotAvailable)]
    [InlineData(Errno.EACCES, SocketError.AccessDenied)]
    [InlineData(Errno.EPERM, SocketError.AccessDenied)]
    [InlineData(Errno.EINVAL, SocketError.InvalidArgument)]
    [InlineData(Errno.EAFNOSUPPORT, SocketError.AddressFamilyNotSupported)]
    [InlineData(Errno.EAGAIN, SocketError.WouldBlock)]
    [InlineData(Errno.EINTR, SocketError.Interrupted)]
    [InlineData(Errno.ECONNREFUSED, SocketError.ConnectionRefused)]
    [InlineData(Errno.EMSGSIZE, SocketError.MessageSize)]
    [InlineData(Errno.ENOBUFS, SocketError.NoBufferSpaceAvailable)]
    [InlineData(Errno.ENETUNREACH, SocketError.NetworkUnreachable)]
    [InlineData(Errno.EHOSTUNREACH, SocketError.HostUnreachable)]
    [InlineData(Errno.EMFILE, SocketError.TooManyOpenSockets)]
    [InlineData(Errno.ENFILE, SocketError.TooManyOpenSockets)]
    [InlineData(Errno.EDESTADDRREQ, SocketError.DestinationAddressRequired)]
    [InlineData(Errno.ENOPROTOOPT, SocketError.ProtocolOption)]
    [InlineData(9 /* EBADF */, SocketError.SocketError)]
    public void Errno_values_map_to_their_SocketError(int errno, SocketError expected) =>
        Errno.ToSocketError(errno).Should().Be(expected);

    [Fact]
    public void An_IPv4_endpoint_encodes_as_a_Linux_sockaddr_in()
    {
        Span<byte> buffer = stackalloc byte[SockAddr.MaxLength];
        buffer.Fill(0xAA);

        var length = SockAddr.Encode(new IPEndPoint(IPAddress.Parse("127.1.2.3"), 0x1234), buffer);

        length.Should().Be(16);
        buffer[..16].ToArray().Should().Equal(2, 0, 0x12, 0x34, 127, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void An_IPv6_endpoint_encodes_as_a_Linux_sockaddr_in6_with_its_scope()
    {
        Span<byte> buffer = stackalloc byte[SockAddr.MaxLength];
        buffer.Fill(0xAA);
        var address = IPAddress.Parse("::1");
        address.ScopeId = 0x01020304;

        var length = SockAddr.Encode(new IPEndPoint(address, 443), buffer);

        length.Should().Be(28);
        buffer[..8].ToArray().Should().Equal(10, 0, 0x01, 0xBB, 0, 0, 0, 0);
        buffer.Slice(8, 16).ToArray().Should().Equal(IPAddress.IPv6Loopback.GetAddressBytes());
        buffer.Slice(24, 4).ToArray().Should().Equal(4, 3, 2, 1);
    }

    [Theory]
    [InlineData("127.0.0.1", 1)]
    [InlineData("127.255.0.9", 65535)]
    [InlineData("::1", 5353)]
    [InlineData("::ffff:127.0.0.1", 7)]
    public void Decoding_what_was_encoded_gives_the_same_endpoint(string address, int port)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(address), port);
        Span<byte> buffer = stackalloc byte[SockAddr.MaxLength];

        var decoded = SockAddr.Decode(buffer[..SockAddr.Encode(endpoint, buffer)]);

        decoded.Should().Be(endpoint);
    }

    [Fact]
    public void Decoding_keeps_the_IPv6_scope_id()
    {
        var address = IPAddress.Parse("::1");
        address.ScopeId = 3;
        Span<byte> buffer = stackalloc byte[SockAddr.MaxLength];

        var decoded = SockAddr.Decode(buffer[..SockAddr.Encode(new IPEndPoint(address, 80), buffer)]);

        decoded.Address.ScopeId.Should().Be(3);
    }

    [Fact]
    public void Decoding_an_unknown_family_is_an_error()
    {
        var act = () => SockAddr.Decode([1, 0, 0, 0, 0, 0, 0, 0]);

        act.Should().Throw<ArgumentException>();
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
