using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OrleansRaft.Testing.Processes;

public static class FreePort
{
    // Linux may hand the port it just released to the next bind to port 0: two calls in a row can return the same
    // port, and two silos then fight over it. A port is handed out once per process.
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>A loopback port nothing listens on right now and not returned before, for a server started later at a known address.</summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
