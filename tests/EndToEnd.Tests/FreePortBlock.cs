using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// A run of consecutive loopback ports nothing listens on, below the kernel's ephemeral range (so no outgoing
/// connection takes one of them between the pick and the restart of a silo on it).
/// </summary>
public static class FreePortBlock
{
    private const int Lowest = 20_000;
    private const int Attempts = 1000;

    /// <summary>The first of <paramref name="count"/> consecutive free ports.</summary>
    public static int Pick(int count)
    {
        var below = EphemeralRangeStart() - count;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var first = Random.Shared.Next(Lowest, below);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports in [{Lowest}, {below}) after {Attempts} attempts");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        var start = 32_768;
        if (File.Exists(range)
            && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
        {
            start = low;
        }

        return start > Lowest + 1000 ? start : 65_000;
    }
}
