using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Reactor.Internal.Streams;

namespace Reactor.Internal.Unix;

/// <summary>
/// An outgoing UNIX stream connection's connector (Twisted's <c>unix.Connector</c>): UNIX's own part of
/// <see cref="StreamConnector"/> — validate the path before anything exists, check the server's lock file when asked
/// (<c>checkPid</c>), and make a <see cref="UnixConnection"/>. Specified by <c>tests/Reactor.Tests/Unix/</c>.
/// </summary>
internal sealed class UnixConnector : StreamConnector
{
    private readonly UnixPath _path;
    private readonly bool _checkPid;

    private UnixConnector(ReactorBase reactor, UnixPath path, ClientFactory factory, TimeSpan timeout, bool checkPid)
        : base(reactor, factory, timeout, path.EndPoint)
    {
        _path = path;
        _checkPid = checkPid;
    }

    /// <summary>The body of <c>ConnectUnix</c>.</summary>
    internal static UnixConnector Connect(ReactorBase reactor, string path, ClientFactory factory, TimeSpan? timeout, bool checkPid)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(factory);
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        var unixPath = UnixPath.Parse(path);
        reactor.VerifyAccess();
        var connector = new UnixConnector(reactor, unixPath, factory, limit, checkPid);
        connector.Connect();
        return connector;
    }

    protected override void StartAttempt(int attempt)
    {
        if (_checkPid && !_path.IsAbstract && !UnixLock.IsHeld(_path.FilePath + ".lock"))
        {
            // Twisted raises BadFileError; here it is the attempt's failure, reported later like any other (D26).
            Fail(new ConnectionRefusedException(_path.EndPoint));
            return;
        }

        StartSocket(_path.EndPoint);
    }

    protected override StreamKind UnresolvedKind => StreamKind.Unix;

    protected override void DescribeActivity(Activity activity)
    {
        activity.DisplayName = $"connect {_path}";
        activity.SetTag("server.address", _path.ToString());
        activity.SetTag("network.transport", "unix");
    }

    protected override StreamConnection CreateConnection(IStreamSocket socket, Protocol protocol, EndPoint local, EndPoint remote) =>
        new UnixConnection(Reactor, socket, protocol, local as UnixDomainSocketEndPoint ?? Linux.SockAddr.UnnamedUnix, _path.EndPoint, this);

    public override string ToString() => $"<UnixConnector to {_path} ({State})>";
}
