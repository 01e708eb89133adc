namespace OrleansRaft.Testing.Simulation;

/// <summary>A client of the cluster: it remembers which node it believes is the leader.</summary>
public sealed class SimClient(int id)
{
    public int Id { get; } = id;

    /// <summary>The node the client talks to next; 0 (none) means "pick one at random".</summary>
    public long LeaderGuess { get; set; }

    /// <summary>Proposals this client still waits on.</summary>
    public List<Proposal> Outstanding { get; } = [];
}
