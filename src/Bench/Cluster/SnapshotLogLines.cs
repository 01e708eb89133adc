using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// The snapshot lines a silo logs (RaftReplicaGrain.Snapshots): "snapshot at I (B bytes, K keys)" when it took
/// one, "installed snapshot I@T … (B bytes) from the leader" when it installed one. Their sizes are in no status.
/// </summary>
public static partial class SnapshotLogLines
{
    /// <summary>Bytes of the snapshot at <paramref name="index"/> the silo took, or null if its log does not say.</summary>
    public static long? TakenBytes(SiloNode node, long index) =>
        Read(node, Taken()).Where(m => Number(m, "index") == index).Select(m => (long?)Number(m, "bytes")).LastOrDefault();

    /// <summary>Every snapshot the silo installed from a leader, in order: its index and bytes.</summary>
    public static IReadOnlyList<(long Index, long Bytes)> Installed(SiloNode node) =>
        [.. Read(node, InstalledLine()).Select(m => (Number(m, "index"), Number(m, "bytes")))];

    private static IEnumerable<Match> Read(SiloNode node, Regex pattern)
    {
        string text;
        try
        {
            using var stream = new FileStream(node.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (IOException)
        {
            return [];
        }

        return pattern.Matches(text);
    }

    private static long Number(Match match, string group) => long.Parse(match.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"snapshot at (?<index>\d+) \((?<bytes>\d+) bytes")]
    private static partial Regex Taken();

    [GeneratedRegex(@"installed snapshot (?<index>\d+)@\d+ .*?\((?<bytes>\d+) bytes\) from the leader")]
    private static partial Regex InstalledLine();
}
