namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>
/// The faults of a run, drawn from one seed: episodes of 0.5–4 s separated by gaps of 0.2–1.5 s, so that some fault
/// is active most of the time, and exactly one <see cref="FaultKind.KillAll"/>, due once <see cref="KillAllAfter"/>
/// has passed (every run lasts past it). The seed fixes every number drawn; only where the kill-all falls among the
/// episodes depends on how fast the machine brings faults about.
/// </summary>
public sealed class FaultSchedule
{
    private static readonly FaultKind[] Singles =
        [FaultKind.KillLeader, FaultKind.KillFollower, FaultKind.PauseLeader, FaultKind.PauseFollower, FaultKind.PauseMajority, FaultKind.KillLeaderPauseFollower];

    private readonly Random random;
    private bool killedAll;

    public FaultSchedule(int seed, TimeSpan duration)
    {
        random = new Random(seed);
        // Early, so that most of the run is left to see writes acknowledged after it.
        KillAllAfter = duration * (0.15 + (0.25 * random.NextDouble()));
    }

    /// <summary>The first episode that starts after this (from the start of the faults) kills every silo.</summary>
    public TimeSpan KillAllAfter { get; }

    /// <summary>The gap before the first fault: clients get going on a healthy cluster.</summary>
    public TimeSpan Warmup => TimeSpan.FromSeconds(1);

    /// <summary>The next episode; <paramref name="elapsed"/> is the time since the faults began.</summary>
    public FaultEpisode Next(TimeSpan elapsed)
    {
        // Drawn in the same order whatever the elapsed time, so the seed alone fixes every episode's numbers.
        var kind = Singles[random.Next(Singles.Length)];
        var hold = TimeSpan.FromMilliseconds(random.Next(500, 4000));
        var gap = TimeSpan.FromMilliseconds(random.Next(200, 1500));
        var pick = random.Next(1000);
        if (!killedAll && elapsed >= KillAllAfter)
        {
            killedAll = true;
            return new FaultEpisode(FaultKind.KillAll, hold / 2, gap, pick);
        }

        // Without a majority nothing happens but timeouts: shorter.
        return new FaultEpisode(kind, kind == FaultKind.PauseMajority ? hold / 2 : hold, gap, pick);
    }
}
