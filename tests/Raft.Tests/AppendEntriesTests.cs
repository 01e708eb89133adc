using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// The follower side of AppendEntries (§5.3, Figure 2 "receiver implementation"). The follower (node 1) holds
/// 1,1,2,2 at term 2 with entry 1 committed; node 2 leads.
/// </summary>
public sealed class AppendEntriesTests
{
    private static readonly long[] Voters = [1, 2, 3];

    [Theory]
    [InlineData(0, 0, true)] // below the commit index: matches whatever the leader has
    [InlineData(1, 1, true)]
    [InlineData(2, 1, true)]
    [InlineData(4, 2, true)] // our last entry
    [InlineData(5, 2, false)] // missing entry
    [InlineData(9, 3, false)] // missing entry
    [InlineData(4, 1, false)] // term mismatch
    [InlineData(4, 3, false)] // term mismatch
    [InlineData(3, 1, false)] // term mismatch
    public void ConsistencyCheck_RejectsAMissingOrMismatchedPreviousEntry(long prevIndex, long prevTerm, bool accepted)
    {
        var peer = Follower();
        var before = Logs.Describe(peer.Storage);

        var response = Single(peer.Step(new AppendRequest(2, 1, Math.Max(2, prevTerm), prevIndex, prevTerm, [], 1)));

        Assert.Equal(accepted, response.Success);
        if (!accepted)
        {
            Assert.Equal(prevIndex, response.Index);
            // The hint names the follower's last entry that can still match: at or below the rejected index,
            // with a term no higher than the one asked about (lower, if it is at that very index).
            Assert.True(
                response.HintIndex < prevIndex || (response.HintIndex == prevIndex && response.HintTerm < prevTerm),
                $"hint {response.HintIndex}@{response.HintTerm} for a rejected {prevIndex}@{prevTerm}");
            Assert.True(response.HintTerm <= prevTerm);
        }

        Assert.Equal(before, Logs.Describe(peer.Storage));
    }

    [Fact]
    public void ConflictingSuffix_IsTruncatedAndReplaced_AndTheReadyRewritesStorageFromTheConflict()
    {
        var peer = Follower();

        var response = Single(peer.Step(new AppendRequest(2, 1, 3, 2, 1, [Entry(3, 3)], 1)));

        Assert.True(response.Success);
        Assert.Equal(3, response.Index);
        var write = Assert.Single(peer.Readies, r => r.Entries.Count > 0);
        Assert.Equal(3, write.Entries[0].Index); // starts at the conflict: the host deletes 3.. and writes anew
        Assert.True(write.MustSync);
        Assert.Equal([1, 1, 3], Logs.Terms(peer.Storage));
        Assert.Equal(Logs.Describe(Logs.Storage(Voters, [1, 1, 3], 3)), Logs.Describe(peer.Storage));
        Assert.Equal(3, peer.Node.LastIndex);
    }

    [Fact]
    public void ConflictInsideTheNewEntries_KeepsTheMatchingOnesAndReplacesFromTheFirstConflict()
    {
        var peer = Follower();

        var response = Single(peer.Step(new AppendRequest(2, 1, 3, 2, 1, [Entry(3, 2), Entry(4, 3), Entry(5, 3)], 1)));

        Assert.True(response.Success);
        Assert.Equal(5, response.Index);
        var write = Assert.Single(peer.Readies, r => r.Entries.Count > 0);
        Assert.Equal([4L, 5L], write.Entries.Select(e => e.Index));
        Assert.Equal([1, 1, 2, 3, 3], Logs.Terms(peer.Storage));
    }

    [Theory]
    [InlineData(1, 1)] // a stale AppendEntries carrying only entry 2
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    [InlineData(1, 3)]
    public void StaleShorterAppend_DoesNotTruncateEntriesAlreadyPresent(long prevIndex, int count)
    {
        var peer = Follower();
        var before = Logs.Describe(peer.Storage);
        long[] terms = [1, 1, 2, 2];
        var entries = Enumerable.Range(1, count).Select(i => Logs.Entry(prevIndex + i, terms[prevIndex + i - 1], Voters)).ToArray();
        var prevTerm = prevIndex == 0 ? 0 : terms[prevIndex - 1];

        var response = Single(peer.Step(new AppendRequest(2, 1, 2, prevIndex, prevTerm, entries, 1)));

        Assert.True(response.Success);
        Assert.True(response.Index >= prevIndex + count);
        Assert.Equal(before, Logs.Describe(peer.Storage));
        Assert.Equal(4, peer.Node.LastIndex);
        Assert.DoesNotContain(peer.Readies, r => r.Entries.Count > 0);
    }

    /// <summary>Figure 2: commitIndex = min(leaderCommit, index of last new entry).</summary>
    [Theory]
    [InlineData(1, 1, 4, 2)] // we hold 4 entries, but only 1..2 are known to match the leader's log
    [InlineData(2, 2, 3, 3)]
    [InlineData(4, 0, 4, 4)]
    [InlineData(4, 1, 9, 5)]
    [InlineData(2, 1, 2, 2)]
    [InlineData(2, 1, 0, 1)] // never moves back
    public void FollowerCommit_IsMinOfLeaderCommitAndLastNewEntry(long prevIndex, int count, long leaderCommit, long expected)
    {
        var peer = Follower();
        long[] terms = [1, 1, 2, 2, 2];
        var entries = Enumerable.Range(1, count).Select(i => Logs.Entry(prevIndex + i, terms[prevIndex + i - 1], Voters)).ToArray();

        var response = Single(peer.Step(new AppendRequest(2, 1, 2, prevIndex, terms[prevIndex - 1], entries, leaderCommit)));

        Assert.True(response.Success);
        Assert.Equal(expected, peer.Node.CommitIndex);
        Assert.Equal(expected, peer.Storage.HardState.Commit);
        Assert.Equal(expected, peer.Applied[^1].Index);
    }

    [Fact]
    public void HeartbeatCommit_IsCappedByTheLocalLog()
    {
        var peer = Follower();
        peer.Step(new HeartbeatRequest(2, 1, 2, 9, 0));
        Assert.Equal(4, peer.Node.CommitIndex);
    }

    [Fact]
    public void AppendFromAStaleTerm_IsRejectedAndTellsTheNewerTerm()
    {
        var peer = Follower();

        var response = Single(peer.Step(new AppendRequest(3, 1, 1, 2, 1, [Entry(3, 1)], 3)));

        Assert.False(response.Success);
        Assert.Equal(2, response.Term);
        Assert.Equal([1, 1, 2, 2], Logs.Terms(peer.Storage));
        Assert.Equal(1, peer.Node.CommitIndex);
    }

    private static Peer Follower()
    {
        var peer = Peer.Create(1, Logs.Storage(Voters, [1, 1, 2, 2], term: 2, commit: 1));
        peer.HandleReadies();
        return peer;
    }

    private static LogEntry Entry(long index, long term) => Logs.Entry(index, term, Voters);

    private static AppendResponse Single(List<RaftMessage> sent) => Assert.IsType<AppendResponse>(Assert.Single(sent));
}
