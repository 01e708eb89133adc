using OrleansRaft.Bench.Cluster;
using OrleansRaft.Bench.Reporting;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// Whether write throughput dips while snapshots are taken (§7): the leader's commits in fixed intervals of the
/// measured window (its commit index from <see cref="StatusTimeline"/>, interpolated at the interval bounds), next
/// to every snapshot the silos took, from the moment the leader committed its index to the silo's "snapshot at"
/// log line once it was stored.
/// </summary>
internal static class CommitTimeline
{
    private const int TableRows = 10;

    public static void Report(Report report, SiloCluster cluster, StatusTimeline timeline, TimeSpan windowStart, TimeSpan windowEnd, TimeSpan period, string csvPath)
    {
        report.Line();
        var samples = timeline.Samples;
        bool InWindow(StatusSample s) => s.Elapsed >= windowStart && s.Elapsed <= windowEnd;
        if (samples.Where(s => s.Role == "leader" && InWindow(s)).GroupBy(s => s.NodeId).MaxBy(g => g.Count())?.Key is not { } leaderId)
        {
            report.Line("Commit timeline: no leader answered its status in the window.");
            return;
        }

        var leader = samples.Where(s => s.NodeId == leaderId && s.Role == "leader").OrderBy(s => s.Elapsed).ToList();
        var intervals = new List<CommitInterval>();
        for (var from = windowStart; from + period <= windowEnd; from += period)
        {
            if (CommitAt(leader, from) is { } first && CommitAt(leader, from + period) is { } last)
            {
                intervals.Add(new CommitInterval(from, from + period, (long)Math.Round(last - first)));
            }
        }

        if (intervals.Count < 2)
        {
            report.Line("Commit timeline: too few leader status samples in the window.");
            return;
        }

        var snapshots = cluster.Nodes
            .SelectMany(n => SnapshotLogLines.Taken(n).Select(t => new SnapshotEvent(
                n.NodeId, n.NodeId == leaderId, t.Index, t.Bytes, CommittedAt(leader, t.Index) ?? timeline.ElapsedAt(t.StoredAt), timeline.ElapsedAt(t.StoredAt))))
            .Where(s => s.To >= windowStart && s.From <= windowEnd)
            .OrderBy(s => s.From)
            .ToList();
        var during = intervals.Where(i => snapshots.Any(i.Overlaps)).ToList();
        var outside = intervals.Where(i => !snapshots.Any(i.Overlaps)).ToList();
        var worst = intervals.MinBy(i => i.PerSecond)!;
        var seconds = intervals.Count * period.TotalSeconds;
        report.Line($"**Commit timeline** (leader node {leaderId}'s commit index, sampled every {Format.Count(period.TotalMilliseconds)} ms, in {intervals.Count} intervals of {Format.Count(period.TotalMilliseconds)} ms over {Format.Fixed(seconds, 1)} s; every entry, no-ops included):");
        report.Line($"- overall {Format.Count(intervals.Sum(i => i.Commits) / seconds)} commits/s; per interval median {Format.Count(Median(intervals))}, worst {Format.Count(worst.PerSecond)} at {Seconds(worst.From)}-{Seconds(worst.To)} s ({(snapshots.Any(worst.Overlaps) ? "while a snapshot ran" : "no snapshot running")})");
        report.Line($"- {snapshots.Count} snapshots ran in the window ({snapshots.Count(s => s.Leader)} on the leader); intervals with one running: {during.Count} of {intervals.Count}, {Rates(during)}; without: {Rates(outside)}");
        if (snapshots.Count > 0)
        {
            report.Line($"- capture to stored: {Spread(snapshots.Where(s => s.Leader))} on the leader, {Spread(snapshots.Where(s => !s.Leader))} on followers");
            report.Line();
            var onLeader = snapshots.Where(s => s.Leader).ToList();
            var shown = onLeader.OrderByDescending(s => s.Duration).Take(TableRows).OrderBy(s => s.From).ToList();
            report.Line(shown.Count < onLeader.Count ? $"The {shown.Count} longest of the leader's {onLeader.Count} snapshots:" : "The leader's snapshots:");
            report.Line();
            var table = new MarkdownTable("index", "MiB", "ran s", "ms", "commits/s meanwhile", "worst interval");
            foreach (var snapshot in shown)
            {
                var overlapping = intervals.Where(i => i.Overlaps(snapshot)).ToList();
                table.Add(
                    Format.Count(snapshot.Index),
                    Format.Fixed(snapshot.Bytes / 1048576.0, 2),
                    $"{Seconds(snapshot.From)}-{Seconds(snapshot.To)}",
                    Format.Count(snapshot.Duration.TotalMilliseconds),
                    overlapping.Count == 0 ? "" : Format.Count(overlapping.Sum(i => i.Commits) / (overlapping.Count * period.TotalSeconds)),
                    overlapping.Count == 0 ? "" : Format.Count(overlapping.Min(i => i.PerSecond)));
            }

            report.Table(table);
        }

        var csv = new CsvTable("from_s", "to_s", "commits", "commits_per_s", "snapshots_running");
        foreach (var interval in intervals)
        {
            csv.Add(interval.From.TotalSeconds, interval.To.TotalSeconds, interval.Commits, interval.PerSecond,
                string.Join(' ', snapshots.Where(interval.Overlaps).Select(s => $"{s.NodeId}@{s.Index}")));
        }

        csv.Save(csvPath);
        report.Line($"Timeline: {csvPath} (\"snapshots_running\" lists node@index). Seconds count from the first leader found; the measured window is {Seconds(windowStart)}-{Seconds(windowEnd)} s.");
    }

    /// <summary>The leader's commit index at <paramref name="at"/>, linear between its samples; null outside them.</summary>
    private static double? CommitAt(IReadOnlyList<StatusSample> leader, TimeSpan at)
    {
        for (var i = 1; i < leader.Count; i++)
        {
            var (a, b) = (leader[i - 1], leader[i]);
            if (a.Elapsed <= at && at <= b.Elapsed)
            {
                return a.CommitIndex + ((b.CommitIndex - a.CommitIndex) * (at - a.Elapsed).Ticks / (double)Math.Max(1, (b.Elapsed - a.Elapsed).Ticks));
            }
        }

        return null;
    }

    /// <summary>When the leader's commit index reached <paramref name="index"/>, linear between its samples; null if it never did in them.</summary>
    private static TimeSpan? CommittedAt(IReadOnlyList<StatusSample> leader, long index)
    {
        for (var i = 1; i < leader.Count; i++)
        {
            var (a, b) = (leader[i - 1], leader[i]);
            if (a.CommitIndex < index && index <= b.CommitIndex)
            {
                return a.Elapsed + ((b.Elapsed - a.Elapsed) * ((index - a.CommitIndex) / (double)(b.CommitIndex - a.CommitIndex)));
            }
        }

        return null;
    }

    private static string Rates(IReadOnlyList<CommitInterval> intervals) =>
        intervals.Count == 0
            ? "none"
            : $"{Format.Count(intervals.Average(i => i.PerSecond))} commits/s (median interval {Format.Count(Median(intervals))}, worst {Format.Count(intervals.Min(i => i.PerSecond))})";

    private static string Spread(IEnumerable<SnapshotEvent> snapshots)
    {
        var ms = snapshots.Select(s => s.Duration.TotalMilliseconds).ToList();
        return ms.Count == 0 ? "none" : $"mean {Format.Count(ms.Average())} ms, max {Format.Count(ms.Max())} ms ({ms.Count})";
    }

    private static double Median(IReadOnlyList<CommitInterval> intervals)
    {
        var rates = intervals.Select(i => i.PerSecond).Order().ToList();
        return rates[rates.Count / 2];
    }

    private static string Seconds(TimeSpan elapsed) => Format.Fixed(elapsed.TotalSeconds, 2);
}
