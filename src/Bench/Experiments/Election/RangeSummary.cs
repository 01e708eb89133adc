namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>One range on one target: what it ran as, what the system was, what was noticed besides the trials.</summary>
/// <param name="Effective">The range in ms as configured (the silo rounds to ticks; etcd draws from [E, 2E)).</param>
internal sealed class RangeSummary(string target, TimeoutRange range, string effective, List<string> notes)
{
    public string Target => target;

    public TimeoutRange Range => range;

    public string Effective => effective;

    public List<string> Notes => notes;

    public string? Description { get; set; }

    /// <summary>Who used the cores from the first trial to the last.</summary>
    public Measurement.CpuSplit? Cpu { get; set; }

    /// <summary>Leader changes seen while nothing was faulted; null when the system never came up.</summary>
    public int? IdleLeaderChanges { get; set; }
}
