using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests.Messages;

/// <summary>A corrupt or hostile snapshot message is dropped before it touches the log or the snapshot being assembled.</summary>
public sealed class MessageValidationTests
{
    private static readonly Configuration Voters = new([1, 2, 3], []);

    public static TheoryData<string, InstallSnapshotRequest> MalformedRequests()
    {
        var valid = Request();
        return new TheoryData<string, InstallSnapshotRequest>
        {
            { "negative offset", valid with { Offset = -1 } },
            { "snapshot index 0", valid with { SnapshotIndex = 0 } },
            { "snapshot term 0", valid with { SnapshotTerm = 0 } },
            { "snapshot term above the leader's", valid with { SnapshotTerm = 3 } },
            { "no configuration", valid with { Configuration = null! } },
            { "configuration without voters", valid with { Configuration = new Configuration([], [4]) } },
            { "configuration naming node 0", valid with { Configuration = new Configuration([0, 1], []) } },
            { "oversize chunk", valid with { Data = new byte[MessageValidation.MaxSnapshotChunkBytes + 1] } },
            { "offset past any snapshot", valid with { Offset = MessageValidation.MaxSnapshotBytes } },
            { "offset overflowing with the chunk", valid with { Offset = long.MaxValue - 1 } },
        };
    }

    [Fact]
    public void WellFormedSnapshotMessages_Pass()
    {
        Assert.True(MessageValidation.IsWellFormed(Request()));
        Assert.True(MessageValidation.IsWellFormed(Request() with { Data = new byte[MessageValidation.MaxSnapshotChunkBytes] }));
        Assert.True(MessageValidation.IsWellFormed(new InstallSnapshotResponse(1, 2, 2, 11, 2, 4, Done: false, Index: 0)));
    }

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public void MalformedInstallSnapshotRequest_IsRejected_AndChangesNothing(string why, InstallSnapshotRequest request)
    {
        Assert.False(MessageValidation.IsWellFormed(request), why);

        var peer = Peer.Founding(1, Voters.Voters);
        peer.HandleReadies();
        var sent = peer.Step(request);

        Assert.Empty(sent);
        Assert.Empty(peer.Installed);
        Assert.Equal((1L, 1L, RaftNode.None), (peer.Node.Term, peer.Node.LastIndex, peer.Node.Leader));
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(0, -1, 0, 0)]
    [InlineData(0, 0, -1, 0)]
    [InlineData(0, 0, 0, -1)]
    public void MalformedInstallSnapshotResponse_IsRejected(long snapshotIndex, long snapshotTerm, long nextOffset, long index)
    {
        Assert.False(MessageValidation.IsWellFormed(new InstallSnapshotResponse(1, 2, 2, snapshotIndex, snapshotTerm, nextOffset, Done: false, index)));
    }

    [Fact]
    public void ChunkCapAboveWhatReplicasAccept_IsRefusedByTheOptions()
    {
        var options = new RaftOptions { Id = 1, Random = new Random(1), MaxSnapshotChunkBytes = MessageValidation.MaxSnapshotChunkBytes + 1 };

        Assert.Throws<ArgumentException>(() => new RaftNode(options, new Raft.Storage.MemoryStorage()));
        Assert.Throws<ArgumentException>(() => new RaftNode(options with { MaxSnapshotChunkBytes = 0 }, new Raft.Storage.MemoryStorage()));
    }

    private static InstallSnapshotRequest Request() => new(2, 1, 2, 11, 2, Voters, 0, new byte[] { 1, 2 }, Done: false);
}
