using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// A message on its way. Due messages are delivered by due time, then by link and the order sent on it, so the
/// delivery order does not depend on which replica's thread sent first.
/// </summary>
internal sealed record InFlightMessage(long Group, RaftMessage Message, DateTimeOffset DeliverAt, long Sequence)
    : IComparable<InFlightMessage>
{
    public int CompareTo(InFlightMessage? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byTime = DeliverAt.CompareTo(other.DeliverAt);
        if (byTime != 0)
        {
            return byTime;
        }

        var byFrom = Message.From.CompareTo(other.Message.From);
        if (byFrom != 0)
        {
            return byFrom;
        }

        var byTo = Message.To.CompareTo(other.Message.To);
        return byTo != 0 ? byTo : Sequence.CompareTo(other.Sequence);
    }
}
