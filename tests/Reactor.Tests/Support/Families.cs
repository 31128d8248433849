using System.Net;

namespace Reactor.Tests.Support;

/// <summary>Test data: every backend × loopback of each IP family.</summary>
public static class Families
{
    public static TheoryData<ReactorBackend, string> BackendsAndLoopbacks
    {
        get
        {
            var data = new TheoryData<ReactorBackend, string>();
            foreach (var backend in TestBackends.All)
            {
                data.Add(backend, "127.0.0.1");
                data.Add(backend, "::1");
            }

            return data;
        }
    }

    public static IPEndPoint Loopback(string @interface, int port) => new(IPAddress.Parse(@interface), port);
}
