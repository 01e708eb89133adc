using System.Net;
using System.Net.Sockets;

namespace OrleansRaft.Testing.Processes;

public static class FreePort
{
    /// <summary>A loopback port nothing listens on right now, for a server started later at a known address.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
