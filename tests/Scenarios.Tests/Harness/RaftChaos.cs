using OrleansRaft.Grains;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// A property run: a <see cref="RaftFaultSchedule"/> and three <see cref="RaftWorkload"/> clients, a check after
/// every tick; then everything healed, the writes in flight finished, and the check once more when the cluster
/// has converged.
/// </summary>
public sealed class RaftChaos(RaftTester ts, bool keepMajority = false)
{
    public RaftFaultSchedule Faults { get; } = new(ts) { KeepMajority = keepMajority };

    public RaftWorkload Workload { get; } = new(ts, clients: 3, TimeSpan.FromSeconds(1));

    /// <summary>
    /// Runs for <paramref name="duration"/> of virtual time; returns the statuses once converged, which must happen
    /// within <paramref name="convergeWithin"/> (5 s unless given) of healing.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaStatus>> RunAsync(TimeSpan duration, Action<IReadOnlyList<ReplicaStatus>> check, TimeSpan? convergeWithin = null)
    {
        await ts.TicksAsync(duration, async statuses =>
        {
            check(statuses);
            await Faults.StepAsync(statuses);
            await Workload.StepAsync(statuses);
        });

        await Faults.HealAsync();
        await Workload.DrainAsync();
        var converged = await ts.ConvergeAsync(convergeWithin ?? TimeSpan.FromSeconds(5));
        check(converged);
        return converged;
    }

    /// <summary>A run that acknowledged few writes or saw few faults tested little: fail rather than pass vacuously.</summary>
    public void RequireProgress(int writes = 20, int faults = 5)
    {
        if (Workload.Acknowledged.Count < writes || Faults.Started < faults)
        {
            throw ts.Fail($"the run did too little: {Workload.Acknowledged.Count} writes acknowledged, {Faults.Started} faults");
        }
    }
}
