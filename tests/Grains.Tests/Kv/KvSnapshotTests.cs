using System.Text;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains.Tests.Kv;

public sealed class KvSnapshotTests
{
    private long index;

    [Fact]
    public void RestoreGivesBackKeysValuesAndTheAppliedIndex()
    {
        var kv = new KvStateMachine();
        Apply(kv, new KvCommand(KvOperation.Put, "a", Bytes("1"), null, 10));
        Apply(kv, new KvCommand(KvOperation.Append, "b", Bytes("xy"), null, 20));
        Apply(kv, new KvCommand(KvOperation.Put, "empty", default, null, 30));
        Apply(kv, new KvCommand(KvOperation.Put, "gone", Bytes("z"), null, 40));
        Apply(kv, new KvCommand(KvOperation.Delete, "gone", default, null, 50));

        var restored = RoundTrip(kv);

        Assert.Equal(kv.AppliedIndex, restored.AppliedIndex);
        Assert.Equal(50, restored.LogTime);
        Assert.Equal(3, restored.Count);
        Assert.Equal("1", Read(restored, "a"));
        Assert.Equal("xy", Read(restored, "b"));
        Assert.Equal(string.Empty, Read(restored, "empty"));
        Assert.False(restored.TryGet("gone", out _));
    }

    [Fact]
    public void SessionsSurviveSoARetryAfterRestoreIsNotAppliedAgain()
    {
        var kv = new KvStateMachine();
        var request = new ClientRequest("client", 3, 1);
        var first = Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("x"), request, 1));

        var restored = RoundTrip(kv);
        index = kv.AppliedIndex;
        var retry = Apply(restored, new KvCommand(KvOperation.Append, "k", Bytes("x"), request, 2));

        Assert.Equal(first, retry);
        Assert.Equal("x", Read(restored, "k"));
        Assert.Equal(1, restored.SessionCount);
    }

    [Fact]
    public void ForgottenRepliesStayStaleAfterRestore()
    {
        var kv = new KvStateMachine();
        Apply(kv, new KvCommand(KvOperation.Put, "k", Bytes("1"), new ClientRequest("c", 1, 1), 1));
        Apply(kv, new KvCommand(KvOperation.Put, "k", Bytes("2"), new ClientRequest("c", 2, 2), 2));

        var restored = RoundTrip(kv);
        index = kv.AppliedIndex;
        var late = Apply(restored, new KvCommand(KvOperation.Put, "k", Bytes("1"), new ClientRequest("c", 1, 1), 3));

        Assert.True(late!.Value.Stale);
        Assert.Equal("2", Read(restored, "k"));
    }

    [Fact]
    public void ACaptureDoesNotSeeWritesAppliedAfterIt()
    {
        var kv = new KvStateMachine();
        Apply(kv, new KvCommand(KvOperation.Put, "k", Bytes("before"), new ClientRequest("c", 1, 1), 1));
        var capture = kv.Capture();
        var bytes = capture.ToArray();

        Apply(kv, new KvCommand(KvOperation.Append, "k", Bytes("-after"), new ClientRequest("c", 2, 1), 2));
        Apply(kv, new KvCommand(KvOperation.Put, "other", Bytes("x"), null, 3));

        Assert.Equal(bytes, capture.ToArray());
        var restored = new KvStateMachine();
        restored.Restore(new MemoryStream(bytes));
        Assert.Equal("before", Read(restored, "k"));
        Assert.False(restored.TryGet("other", out _));
        Assert.Equal(capture.AppliedIndex, restored.AppliedIndex);
    }

    [Fact]
    public void EveryFlippedByteIsDetectedAndTheStateIsKept()
    {
        var source = new KvStateMachine();
        Apply(source, new KvCommand(KvOperation.Put, "key", Bytes("value"), new ClientRequest("c", 1, 1), 1));
        var bytes = source.Capture().ToArray();

        for (var i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x41;
            var target = new KvStateMachine();
            Apply(target, new KvCommand(KvOperation.Put, "mine", Bytes("kept"), null, 1));

            Assert.Throws<InvalidDataException>(() => target.Restore(new MemoryStream(damaged)));
            Assert.Equal("kept", Read(target, "mine"));
            Assert.False(target.TryGet("key", out _));
        }
    }

    [Fact]
    public void EveryTruncationIsDetected()
    {
        var source = new KvStateMachine();
        Apply(source, new KvCommand(KvOperation.Put, "key", Bytes("value"), null, 1));
        var bytes = source.Capture().ToArray();

        for (var length = 0; length < bytes.Length; length++)
        {
            var target = new KvStateMachine();
            Assert.Throws<InvalidDataException>(() => target.Restore(new MemoryStream(bytes[..length])));
        }
    }

    [Fact]
    public void AHugeLengthFieldFailsWithoutAllocatingIt()
    {
        var source = new KvStateMachine();
        Apply(source, new KvCommand(KvOperation.Put, "k", Bytes("v"), null, 1));
        var bytes = source.Capture().ToArray();

        // Header (4 + 2 + 8 + 8), count (4), key "k" (1 + 1), then the value length.
        BitConverter.GetBytes(int.MaxValue - 1).CopyTo(bytes, 28);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Throws<InvalidDataException>(() => new KvStateMachine().Restore(new MemoryStream(bytes)));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16 << 20, "a damaged length must not allocate its claimed size");
    }

    [Fact]
    public void HundredThousandKeysRoundTrip()
    {
        var kv = new KvStateMachine();
        for (var i = 0; i < 100_000; i++)
        {
            Apply(kv, new KvCommand(KvOperation.Put, $"key-{i:D6}", Bytes($"value-{i}"), null, i));
        }

        var restored = RoundTrip(kv);

        Assert.Equal(100_000, restored.Count);
        Assert.Equal("value-0", Read(restored, "key-000000"));
        Assert.Equal("value-99999", Read(restored, "key-099999"));
    }

    private static KvStateMachine RoundTrip(KvStateMachine kv)
    {
        var bytes = kv.Capture().ToArray();
        var restored = new KvStateMachine();
        restored.Restore(new MemoryStream(bytes));
        return restored;
    }

    private static string Read(KvStateMachine kv, string key)
    {
        Assert.True(kv.TryGet(key, out var value), $"{key} is missing");
        return Encoding.UTF8.GetString(value);
    }

    private KvResult? Apply(KvStateMachine kv, KvCommand command) =>
        kv.Apply(new LogEntry(++index, 1, EntryKind.Command, command.Encode()));

    private static ReadOnlyMemory<byte> Bytes(string s) => Encoding.UTF8.GetBytes(s);
}
