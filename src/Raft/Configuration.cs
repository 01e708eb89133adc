using System.Buffers.Binary;

namespace OrleansRaft.Raft;

/// <summary>
/// The members of a Raft group. Voters count toward quorums; learners receive the log but never vote.
/// Carried in the log as <see cref="EntryKind.Configuration"/> entries.
/// </summary>
public sealed class Configuration : IEquatable<Configuration>
{
    public static readonly Configuration Empty = new([], []);

    public Configuration(IEnumerable<long> voters, IEnumerable<long> learners)
    {
        Voters = [.. voters.Distinct().Order()];
        Learners = [.. learners.Distinct().Order()];
        if (Voters.Intersect(Learners).Any())
        {
            throw new ArgumentException("a node cannot be both voter and learner");
        }
    }

    public long[] Voters { get; }

    public long[] Learners { get; }

    public int Quorum => (Voters.Length / 2) + 1;

    public bool IsVoter(long id) => Array.BinarySearch(Voters, id) >= 0;

    public bool Contains(long id) => IsVoter(id) || Array.BinarySearch(Learners, id) >= 0;

    public IEnumerable<long> Members => Voters.Concat(Learners);

    public bool IsLearner(long id) => Array.BinarySearch(Learners, id) >= 0;

    /// <summary>Why <paramref name="change"/> cannot apply to this configuration, or <see cref="ProposeStatus.Accepted"/>.</summary>
    public ProposeStatus Check(MembershipChange change) => change.Kind switch
    {
        MembershipChangeKind.AddVoter or MembershipChangeKind.AddLearner when Contains(change.NodeId) => ProposeStatus.AlreadyMember,
        MembershipChangeKind.PromoteLearner or MembershipChangeKind.RemoveNode when !Contains(change.NodeId) => ProposeStatus.NotMember,
        MembershipChangeKind.PromoteLearner when IsVoter(change.NodeId) => ProposeStatus.NotLearner,
        MembershipChangeKind.RemoveNode when Voters is [var only] && only == change.NodeId => ProposeStatus.LastVoter,
        _ => ProposeStatus.Accepted,
    };

    /// <summary>The configuration after <paramref name="change"/>, which must pass <see cref="Check"/>.</summary>
    public Configuration Apply(MembershipChange change)
    {
        if (Check(change) is var status && status != ProposeStatus.Accepted)
        {
            throw new ArgumentException($"{change} does not apply to {this}: {status}", nameof(change));
        }

        var id = change.NodeId;
        return change.Kind switch
        {
            MembershipChangeKind.AddVoter => new Configuration(Voters.Append(id), Learners),
            MembershipChangeKind.AddLearner => new Configuration(Voters, Learners.Append(id)),
            MembershipChangeKind.PromoteLearner => new Configuration(Voters.Append(id), Learners.Where(l => l != id)),
            MembershipChangeKind.RemoveNode => new Configuration(Voters.Where(v => v != id), Learners.Where(l => l != id)),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, "unknown membership change"),
        };
    }

    /// <summary>The highest index stored on a quorum of voters, given each voter's match index.</summary>
    public long CommittedIndex(Func<long, long> matchIndex)
    {
        if (Voters.Length == 0)
        {
            return 0;
        }

        Span<long> matches = Voters.Length <= 32 ? stackalloc long[Voters.Length] : new long[Voters.Length];
        for (var i = 0; i < Voters.Length; i++)
        {
            matches[i] = matchIndex(Voters[i]);
        }

        // Insertion sort: groups have a handful of voters, where it beats the general sort.
        for (var i = 1; i < matches.Length; i++)
        {
            var match = matches[i];
            var j = i - 1;
            for (; j >= 0 && matches[j] > match; j--)
            {
                matches[j + 1] = matches[j];
            }

            matches[j + 1] = match;
        }

        return matches[Voters.Length - Quorum];
    }

    /// <summary>Whether the voters for which <paramref name="granted"/> is true form a quorum.</summary>
    public bool HasQuorum(Func<long, bool> granted)
    {
        var count = 0;
        foreach (var v in Voters)
        {
            if (granted(v))
            {
                count++;
            }
        }

        return count >= Quorum;
    }

    public byte[] Encode()
    {
        var buffer = new byte[8 + (8 * (Voters.Length + Learners.Length))];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, Voters.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Learners.Length);
        var offset = 8;
        foreach (var id in Voters.Concat(Learners))
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[offset..], id);
            offset += 8;
        }

        return buffer;
    }

    public static Configuration Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 8)
        {
            throw new FormatException("configuration entry shorter than its header");
        }

        var voters = BinaryPrimitives.ReadInt32LittleEndian(data);
        var learners = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        if (voters < 0 || learners < 0 || data.Length != 8 + (8L * (voters + (long)learners)))
        {
            throw new FormatException("configuration entry has a wrong length");
        }

        var ids = new long[voters + learners];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(8 + (8 * i))..]);
        }

        return new Configuration(ids[..voters], ids[voters..]);
    }

    public bool Equals(Configuration? other) =>
        other is not null && Voters.AsSpan().SequenceEqual(other.Voters) && Learners.AsSpan().SequenceEqual(other.Learners);

    public override bool Equals(object? obj) => Equals(obj as Configuration);

    public override int GetHashCode() => HashCode.Combine(Voters.Length, Learners.Length, Voters.FirstOrDefault());

    public override string ToString() => $"voters=[{string.Join(',', Voters)}] learners=[{string.Join(',', Learners)}]";
}
