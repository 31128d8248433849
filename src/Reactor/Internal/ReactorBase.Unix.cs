using Reactor.Internal.Unix;

namespace Reactor.Internal;

/// <summary>UNIX socket entry points; the transports are in <c>Internal/Streams/</c> (shared with TCP) and <c>Internal/Unix/</c>.</summary>
internal abstract partial class ReactorBase
{
    public IUnixPort ListenUnix(string path, Factory factory, int backlog = 50, UnixFileMode? mode = null, bool wantPid = false)
    {
        VerifyCanOpen();
        return UnixPort.Listen(this, path, factory, backlog, mode, wantPid);
    }

    public IConnector ConnectUnix(string path, ClientFactory factory, TimeSpan? timeout = null, bool checkPid = false)
    {
        VerifyCanOpen();
        return UnixConnector.Connect(this, path, factory, timeout, checkPid);
    }
}
