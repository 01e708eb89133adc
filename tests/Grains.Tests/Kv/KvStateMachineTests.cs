using System.Text;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains.Tests.Kv;

public sealed class KvStateMachineTests
{
    private long index;

    [Fact]
    public void PutAppendDeleteChangeValues()
    {
        var kv = new KvStateMachine();
        Apply(kv, new KvCommand(KvOperation.Put, "k", Bytes("ab"), null, 1));
        var appended = Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("cd"), null, 2));
        Assert.Equal(4, appended!.Value.Length);
        Assert.True(kv.TryGet("k", out var value));
        Assert.Equal("abcd", Encoding.UTF8.GetString(value));

        var absentAppend = Apply(kv, new KvCommand(KvOperation.Append, "new", Bytes("x"), null, 3));
        Assert.False(absentAppend!.Value.Existed);
        Assert.Equal(1, absentAppend.Value.Length);

        Assert.True(Apply(kv, new KvCommand(KvOperation.Delete, "k", default, null, 4))!.Value.Existed);
        Assert.False(Apply(kv, new KvCommand(KvOperation.Delete, "k", default, null, 5))!.Value.Existed);
        Assert.False(kv.TryGet("k", out _));
    }

    [Fact]
    public void RetryWithTheSameSequenceReturnsTheFirstOutcomeAndAppliesNothing()
    {
        var kv = new KvStateMachine();
        var request = new ClientRequest("c", 7, 7);
        var first = Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("x"), request, 1));
        var retry = Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("x"), request, 2));
        Assert.Equal(first, retry);
        kv.TryGet("k", out var value);
        Assert.Equal("x", Encoding.UTF8.GetString(value));
    }

    [Fact]
    public void RepliesBelowLowestUnansweredAreForgottenAndSuchRetriesAreStale()
    {
        var kv = new KvStateMachine();
        Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("1"), new ClientRequest("c", 1, 1), 1));
        Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("2"), new ClientRequest("c", 2, 2), 2));
        var stale = Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("1"), new ClientRequest("c", 1, 1), 3));
        Assert.True(stale!.Value.Stale);
        kv.TryGet("k", out var value);
        Assert.Equal("12", Encoding.UTF8.GetString(value));
    }

    [Fact]
    public void ReplyEvictedForRoomMakesItsRetryStaleNotAppliedTwice()
    {
        var kv = new KvStateMachine(TimeSpan.FromMinutes(10), maxRepliesPerSession: 2);
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            // The client still waits for sequence 1 (LowestUnanswered = 1), yet only two replies fit.
            Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), new ClientRequest("c", sequence, 1), sequence));
        }

        var retry = Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("1"), new ClientRequest("c", 1, 1), 4));
        Assert.True(retry!.Value.Stale);
        kv.TryGet("k", out var value);
        Assert.Equal("123", Encoding.UTF8.GetString(value));
    }

    [Fact]
    public void SessionsExpireByLogTimeNotWallClock()
    {
        var kv = new KvStateMachine(TimeSpan.FromMinutes(1));
        var request = new ClientRequest("c", 1, 1);
        Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("x"), request, Timestamp: 0));
        Assert.Equal(1, kv.SessionCount);

        // Log time jumps past the timeout; the sweep runs at a fixed index interval, the same on every replica.
        while (index % 1024 != 1023)
        {
            Apply(kv, new KvCommand(KvOperation.Put, "other", Bytes("y"), null, Timestamp: 120_000));
        }

        Apply(kv, new KvCommand(KvOperation.Put, "other", Bytes("y"), null, Timestamp: 120_000));
        Assert.Equal(0, kv.SessionCount);
    }

    [Fact]
    public void MalformedCommandIsSkippedTheSameWayEverywhere()
    {
        var kv = new KvStateMachine();
        var result = kv.Apply(new LogEntry(++index, 1, EntryKind.Command, new byte[] { 1, 99, 3 }));
        Assert.Null(result);
        Assert.Equal(index, kv.AppliedIndex);
        Assert.Equal(0, kv.Count);
    }

    [Fact]
    public void EntriesMustBeAppliedInOrder()
    {
        var kv = new KvStateMachine();
        Apply(kv, new KvCommand(KvOperation.Put, "k", Bytes("v"), null, 1));
        Assert.Throws<InvalidOperationException>(() => kv.Apply(new LogEntry(index + 2, 1, EntryKind.NoOp, default)));
    }

    [Fact]
    public void CommandRoundTripsAndRejectsTruncatedBytes()
    {
        var command = new KvCommand(KvOperation.Append, "ключ/with/slashes", Bytes("value"), new ClientRequest("idem:abc", 3, 2), 123456789);
        var bytes = command.Encode();
        var decoded = KvCommand.Decode(bytes);
        Assert.Equal(command.Operation, decoded.Operation);
        Assert.Equal(command.Key, decoded.Key);
        Assert.Equal(command.Request, decoded.Request);
        Assert.Equal(command.Timestamp, decoded.Timestamp);
        Assert.True(decoded.Value.Span.SequenceEqual(command.Value.Span));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<FormatException>(() => KvCommand.Decode(bytes.AsMemory(0, length)));
        }

        Assert.Throws<FormatException>(() => KvCommand.Decode(bytes.Concat(new byte[] { 0 }).ToArray()));
    }

    private KvResult? Apply(KvStateMachine kv, KvCommand command) =>
        kv.Apply(new LogEntry(++index, 1, EntryKind.Command, command.Encode()));

    private static ReadOnlyMemory<byte> Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
