namespace OrleansRaft.Grains.Transport;

/// <summary>Running totals of one transport, updated from every peer's sender without locks.</summary>
internal sealed class TransportCounters
{
    public long MessagesSent;
    public long BytesSent;
    public long MessagesDropped;
    public long MessagesLost;
    public long Requests;
    public long Failures;
}
