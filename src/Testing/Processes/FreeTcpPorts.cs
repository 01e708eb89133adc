using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansRaft.Testing.Processes;

/// <summary>
/// Loopback ports nothing listens on, for silos started later at known addresses. They are drawn below the
/// kernel's ephemeral range: a silo restarted on its old port must not find it taken by some outgoing
/// connection's local port in the meantime.
/// </summary>
public static class FreeTcpPorts
{
    private const int Lowest = 20_000;
    private const int Attempts = 1000;

    public static IReadOnlyList<int> Pick(int count)
    {
        var below = EphemeralRangeStart();
        var picked = new HashSet<int>();
        for (var attempt = 0; picked.Count < count; attempt++)
        {
            if (attempt == Attempts)
            {
                throw new InvalidOperationException($"found only {picked.Count} of {count} free ports in [{Lowest}, {below}) after {Attempts} attempts");
            }

            var port = Random.Shared.Next(Lowest, below);
            if (!picked.Contains(port) && IsFree(port))
            {
                picked.Add(port);
            }
        }

        return [.. picked];
    }

    /// <summary>The first of <paramref name="count"/> consecutive free ports.</summary>
    public static int PickBlock(int count)
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

        // A range configured to start very low leaves no room below it; take the top of the usual range then.
        return start > Lowest + 1000 ? start : 65_000;
    }
}
