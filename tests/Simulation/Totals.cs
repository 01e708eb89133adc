using System.Globalization;
using OrleansRaft.Testing.Simulation;

namespace OrleansRaft.Simulation;

/// <summary>Counters summed over all runs; safe to add to from many threads.</summary>
internal sealed class Totals
{
    private long passed;
    private long failed;
    private long events;
    private long elections;
    private long commits;
    private long reads;
    private long crashes;
    private long proposals;
    private long acknowledged;
    private long messages;
    private long truncations;
    private long compactions;
    private long membershipChanges;
    private long snapshotChunks;
    private long snapshotsInstalled;
    private long virtualMs;

    public long Passed => Interlocked.Read(ref passed);

    public long Failed => Interlocked.Read(ref failed);

    public long Runs => Passed + Failed;

    public void Add(SimResult r)
    {
        Interlocked.Increment(ref r.Passed ? ref passed : ref failed);
        Interlocked.Add(ref events, r.Events);
        Interlocked.Add(ref elections, r.Elections);
        Interlocked.Add(ref commits, r.Commits);
        Interlocked.Add(ref reads, r.ReadsChecked);
        Interlocked.Add(ref crashes, r.Crashes);
        Interlocked.Add(ref proposals, r.Proposals);
        Interlocked.Add(ref acknowledged, r.Acknowledged);
        Interlocked.Add(ref messages, r.MessagesSent);
        Interlocked.Add(ref truncations, r.Truncations);
        Interlocked.Add(ref compactions, r.Compactions);
        Interlocked.Add(ref membershipChanges, r.MembershipChanges);
        Interlocked.Add(ref snapshotChunks, r.SnapshotChunks);
        Interlocked.Add(ref snapshotsInstalled, r.SnapshotsInstalled);
        Interlocked.Add(ref virtualMs, r.VirtualTimeMs);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"totals: events={events} elections={elections} commits={commits} reads-checked={reads} crashes={crashes} " +
        $"proposals={proposals} acknowledged={acknowledged} messages={messages} truncations={truncations} compactions={compactions} membership-changes={membershipChanges} " +
        $"snapshot-chunks={snapshotChunks} snapshots-installed={snapshotsInstalled} virtual-time={virtualMs / 1000}s");

    public long SnapshotsInstalled => Interlocked.Read(ref snapshotsInstalled);
}
