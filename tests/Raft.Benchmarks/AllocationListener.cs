using System.Diagnostics.Tracing;

namespace OrleansRaft.Raft.Benchmarks;

/// <summary>
/// Tallies the runtime's GC AllocationTick events (one per ~100 KB allocated, naming the type that crossed the
/// threshold) by type: a sampled picture of which types the core allocates, for <c>--alloc-types</c>.
/// </summary>
internal sealed class AllocationListener : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int AllocationTickId = 10;

    private readonly Dictionary<string, long> bytesByType = [];
    private readonly Lock gate = new();
    private bool recording;

    public void StartRecording()
    {
        lock (gate)
        {
            bytesByType.Clear();
            recording = true;
        }
    }

    /// <summary>Stops recording; returns (type, sampled bytes) by descending bytes.</summary>
    public List<(string Type, long Bytes)> StopRecording()
    {
        lock (gate)
        {
            recording = false;
            var result = new List<(string Type, long Bytes)>(bytesByType.Count);
            foreach (var (type, bytes) in bytesByType)
            {
                result.Add((type, bytes));
            }

            result.Sort((a, b) => b.Bytes.CompareTo(a.Bytes));
            return result;
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventId != AllocationTickId || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        string? type = null;
        long amount = 0;
        for (var i = 0; i < names.Count; i++)
        {
            switch (names[i])
            {
                case "TypeName":
                    type = payload[i] as string;
                    break;
                case "AllocationAmount64":
                    amount = Convert.ToInt64(payload[i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        if (type is null)
        {
            return;
        }

        lock (gate)
        {
            if (recording)
            {
                bytesByType[type] = bytesByType.GetValueOrDefault(type) + amount;
            }
        }
    }
}
