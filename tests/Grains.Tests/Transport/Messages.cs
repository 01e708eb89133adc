using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Tests.Transport;

/// <summary>Sample messages, and equality through the wire format (records compare entry arrays by reference).</summary>
internal static class Messages
{
    public static IEnumerable<RaftMessage> OneOfEach(long to = 2, long from = 1) =>
    [
        new VoteRequest(from, to, 5, 10, 4, PreVote: true, Transfer: false),
        new VoteResponse(from, to, 5, PreVote: false, Granted: true),
        new AppendRequest(from, to, 5, 10, 4, [new LogEntry(11, 5, EntryKind.Command, new byte[] { 1, 2, 3 }), new LogEntry(12, 5, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty)], 9),
        new AppendResponse(from, to, 5, Success: false, 10, 7, 3),
        new HeartbeatRequest(from, to, 5, 9, 77),
        new HeartbeatResponse(from, to, 5, 77),
        new TimeoutNow(from, to, 5),
        new InstallSnapshotRequest(from, to, 5, 40, 4, new Configuration([1, 2, 3], [4]), 1 << 20, new byte[] { 9, 8, 7, 6 }, Done: false),
        new InstallSnapshotResponse(from, to, 5, 40, 4, 2 << 20, Done: true, 40),
    ];

    public static AppendRequest Append(long to, int entries, int payloadBytes, long from = 1)
    {
        var payload = new byte[payloadBytes];
        Random.Shared.NextBytes(payload);
        return new AppendRequest(from, to, 3, 100, 3, [.. Enumerable.Range(0, entries).Select(i => new LogEntry(101 + i, 3, EntryKind.Command, payload))], 100);
    }

    public static string Show(long groupId, RaftMessage message) => Convert.ToHexString(MessageCodec.Encode(groupId, message));

    public static void Equal(long expectedGroup, RaftMessage expected, DecodedFrame actual)
    {
        Assert.Equal(expectedGroup, actual.GroupId);
        Assert.Equal(expected.GetType(), actual.Message.GetType());
        Assert.Equal(Show(expectedGroup, expected), Show(actual.GroupId, actual.Message));
        if (expected is AppendRequest append)
        {
            var decoded = (AppendRequest)actual.Message;
            Assert.Equal(append with { Entries = [] }, decoded with { Entries = [] });
            Assert.Equal(append.Entries.Length, decoded.Entries.Length);
            for (var i = 0; i < append.Entries.Length; i++)
            {
                Assert.Equal(append.Entries[i].Index, decoded.Entries[i].Index);
                Assert.Equal(append.Entries[i].Term, decoded.Entries[i].Term);
                Assert.Equal(append.Entries[i].Kind, decoded.Entries[i].Kind);
                Assert.True(append.Entries[i].Data.Span.SequenceEqual(decoded.Entries[i].Data.Span), $"payload of entry {i} differs");
            }
        }
        else if (expected is InstallSnapshotRequest chunk)
        {
            var decoded = (InstallSnapshotRequest)actual.Message;
            Assert.Equal(chunk with { Data = default }, decoded with { Data = default });
            Assert.True(chunk.Data.Span.SequenceEqual(decoded.Data.Span), "chunk data differs");
        }
        else
        {
            Assert.Equal(expected, actual.Message);
        }
    }
}
