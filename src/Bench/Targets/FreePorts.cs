using System.Net;
using System.Net.Sockets;

namespace OrleansRaft.Bench.Targets;

/// <summary>Loopback ports nobody listens on, found by binding them, so runs never collide with other clusters on the machine.</summary>
public static class FreePorts
{
    /// <summary><paramref name="count"/> consecutive free ports (scripts/cluster gives silo I the port base + I - 1).</summary>
    public static int Range(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20_000, 50_000 - count);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports found in 20000-50000");
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
