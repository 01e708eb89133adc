namespace OrleansRaft.Raft.Tests.Harness;

/// <summary>Option presets for scenarios.</summary>
internal static class Configure
{
    /// <summary>Raft as in the paper: no pre-vote, no check-quorum (and so no leader lease).</summary>
    public static RaftOptions Basic(RaftOptions options) => options with { PreVote = false, CheckQuorum = false };

    /// <summary>Combines presets, applied left to right.</summary>
    public static Func<RaftOptions, RaftOptions> All(params Func<RaftOptions, RaftOptions>[] steps) =>
        options => steps.Aggregate(options, (o, step) => step(o));
}
