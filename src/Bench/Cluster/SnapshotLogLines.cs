using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// The snapshot lines a silo logs (RaftReplicaGrain.Snapshots): "snapshot at I (B bytes, K keys)" once a snapshot
/// it took is stored, "installed snapshot I@T … (B bytes) from the leader" when it installed one. Their sizes and
/// times are in no status.
/// </summary>
public static partial class SnapshotLogLines
{
    /// <summary>Every snapshot the silo took and stored: its index, bytes, and the line's local time of day.</summary>
    public static IReadOnlyList<(long Index, long Bytes, TimeSpan StoredAt)> Taken(SiloNode node) =>
        [.. Read(node, TakenLine()).Select(m => (Number(m, "index"), Number(m, "bytes"), TimeSpan.ParseExact(m.Groups["time"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture)))];

    /// <summary>Bytes of the snapshot at <paramref name="index"/> the silo took, or null if its log does not say.</summary>
    public static long? TakenBytes(SiloNode node, long index) =>
        Taken(node).Where(t => t.Index == index).Select(t => (long?)t.Bytes).LastOrDefault();

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

    // The silo's console log: "HH:mm:ss.fff info: Category[0] node N group G: snapshot at …" (SiloApp's TimestampFormat).
    [GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d\.\d{3}) info: \S+ node \d+ group \d+: snapshot at (?<index>\d+) \((?<bytes>\d+) bytes", RegexOptions.Multiline)]
    private static partial Regex TakenLine();

    [GeneratedRegex(@"installed snapshot (?<index>\d+)@\d+ .*?\((?<bytes>\d+) bytes\) from the leader")]
    private static partial Regex InstalledLine();
}
