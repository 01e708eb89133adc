namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>
/// One leader kill: who led at which term, when the new leader first reported itself and when the first write
/// committed through it, in ms after the old leader's death was observed.
/// </summary>
/// <param name="Rounds">New leader's term minus the old one's: 1 is a clean election, more means split votes (or a
/// leader that lost its term again before a write committed).</param>
/// <param name="Leaders">Distinct (term, leader) pairs reported after the kill until the trial ended: more than one is flapping.</param>
/// <param name="KillLagMs">From asking for the kill (scripts/cluster kill, or SIGKILL for etcd) to seeing the process gone.</param>
public sealed record ElectionTrial(
    string Target,
    TimeoutRange Range,
    int Trial,
    TrialOutcome Outcome,
    int OldLeader,
    long OldTerm,
    int NewLeader,
    long NewTerm,
    long Rounds,
    double? ElectedMs,
    double? CommitMs,
    int Leaders,
    int Probes,
    int ProbeErrors,
    double KillLagMs);
