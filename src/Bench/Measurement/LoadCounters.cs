namespace OrleansRaft.Bench.Measurement;

/// <summary>Counters every worker of a load run updates: the progress bar, fixed-count numbering, the end of a fixed-count run.</summary>
internal sealed class LoadCounters
{
    public long NextOperation;
    public long Succeeded;
    public long Failed;
    public long Completed;

    /// <summary>Stopwatch timestamp of the latest answer.</summary>
    public long LastEnded;
}
