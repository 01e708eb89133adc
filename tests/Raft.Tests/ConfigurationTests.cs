using System.Buffers.Binary;

namespace OrleansRaft.Raft.Tests;

public sealed class ConfigurationTests
{
    public static TheoryData<long[], long[]> Configurations() => new()
    {
        { [], [] },
        { [1], [] },
        { [1, 2, 3], [] },
        { [3, 1, 2], [7, 5] },
        { [long.MaxValue, 1], [long.MaxValue - 1] },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EncodeDecode_RoundTrips(long[] voters, long[] learners)
    {
        var configuration = new Configuration(voters, learners);

        var decoded = Configuration.Decode(configuration.Encode());

        Assert.Equal(configuration, decoded);
        Assert.Equal(voters.Order(), decoded.Voters);
        Assert.Equal(learners.Order(), decoded.Learners);
    }

    public static TheoryData<byte[]> Malformed()
    {
        var valid = new Configuration([1, 2, 3], [4]).Encode();
        var negative = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(negative, -1);
        var huge = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(huge, int.MaxValue);
        var hugeLearners = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hugeLearners.AsSpan(4), int.MaxValue);
        return new TheoryData<byte[]>
        {
            Array.Empty<byte>(),
            new byte[7],
            valid[..^1], // truncated
            valid.Append((byte)0).ToArray(), // trailing byte
            negative,
            huge,
            hugeLearners,
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Decode_RejectsMalformedBytes(byte[] data)
    {
        Assert.Throws<FormatException>(() => Configuration.Decode(data));
    }

    [Fact]
    public void VoterAndLearnerAtOnce_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new Configuration([1, 2], [2]));
    }

    [Theory]
    [InlineData(new long[] { 5 }, 5)]
    [InlineData(new long[] { 5, 3, 9 }, 5)] // the median: stored on 2 of 3
    [InlineData(new long[] { 5, 5, 0 }, 5)]
    [InlineData(new long[] { 9, 0, 0 }, 0)]
    [InlineData(new long[] { 4, 8, 6, 2 }, 4)] // quorum of 4 is 3: the third highest
    [InlineData(new long[] { 9, 9, 0, 0 }, 0)] // half is not a majority
    [InlineData(new long[] { 1, 2, 3, 4, 5 }, 3)]
    [InlineData(new long[] { 7, 7, 7, 0, 0 }, 7)]
    [InlineData(new long[] { 7, 7, 0, 0, 0 }, 0)]
    public void CommittedIndex_IsTheHighestIndexOnAQuorum(long[] matches, long expected)
    {
        var voters = Enumerable.Range(1, matches.Length).Select(i => (long)i).ToArray();
        var configuration = new Configuration(voters, [100]);

        Assert.Equal(matches.Length / 2 + 1, configuration.Quorum);
        Assert.Equal(expected, configuration.CommittedIndex(id => id == 100 ? long.MaxValue : matches[id - 1]));
    }

    [Fact]
    public void CommittedIndex_OfNoVoters_IsZero()
    {
        Assert.Equal(0, Configuration.Empty.CommittedIndex(_ => 9));
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(3, 1, false)]
    [InlineData(3, 2, true)]
    [InlineData(4, 2, false)]
    [InlineData(4, 3, true)]
    [InlineData(5, 2, false)]
    [InlineData(5, 3, true)]
    public void HasQuorum_NeedsAMajorityOfVoters(int size, int granted, bool expected)
    {
        var configuration = new Configuration(Enumerable.Range(1, size).Select(i => (long)i), [100]);

        Assert.Equal(expected, configuration.HasQuorum(id => id == 100 || id <= granted));
    }
}
