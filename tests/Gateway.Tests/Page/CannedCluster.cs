using System.Text.Json;
using OrleansRaft.Gateway.Http;
using OrleansRaft.Grains;

namespace OrleansRaft.Gateway.Tests.Page;

/// <summary>
/// Canned <c>GET /v1/cluster</c> bodies for the page tests, serialized with the gateway's own types and JSON
/// context, so they are exactly what the gateway writes (camelCase, nulls left out, .NET's 7-digit fractions).
/// </summary>
internal static class CannedCluster
{
    /// <summary>The time every canned election is placed after.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 22, 5, 40, 0, TimeSpan.Zero);

    public static string Reply(long? leader, long term, params ClusterNode[] nodes) =>
        JsonSerializer.Serialize(new ClusterReply(leader, term, nodes), JsonReply.Context.ClusterReply);

    public static ClusterNode Node(long id, string role, long term, long commit, long applied, params ElectionRecord[]? elections) =>
        new(id, $"http://127.0.0.1:{7000 + id}", role, term, commit, applied, true, null, elections);

    /// <summary>A reachable silo whose status carries no election history (a silo from before the history existed).</summary>
    public static ClusterNode NodeWithoutHistory(long id, string role, long term, long commit, long applied) =>
        new(id, $"http://127.0.0.1:{7000 + id}", role, term, commit, applied, true, null);

    public static ClusterNode Unreachable(long id) =>
        new(id, $"http://127.0.0.1:{7000 + id}", "unknown", 0, 0, 0, false, $"Connection refused (127.0.0.1:{7000 + id})");

    /// <param name="startedMs">Milliseconds after <see cref="Epoch"/>, plus 0.1234 ms so the JSON has all 7 digits.</param>
    /// <param name="tookMs">Null while it runs.</param>
    public static ElectionRecord Election(
        long term, double startedMs, double? tookMs, string outcome, long winner, int granted, int rejected, bool preVote = false, string reason = "election_timeout")
    {
        var started = Epoch.AddTicks((long)(startedMs * TimeSpan.TicksPerMillisecond) + 1234);
        return new ElectionRecord(term, started, tookMs is { } took ? started.AddMilliseconds(took) : null, outcome, winner, preVote, reason, granted, rejected, 2);
    }
}
