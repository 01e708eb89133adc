namespace OrleansRaft.Bench.Targets;

/// <summary>A system whose nodes the bench can crash and bring back, and whose Raft state it can read: the election experiment's subject.</summary>
public interface IFaultableSystem : IKvSystem
{
    /// <summary>Each node's view (index 0 is node 1); null for a node that did not answer within <paramref name="timeout"/>.</summary>
    Task<NodeStatus?[]> StatusAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The operating-system process of node <paramref name="node"/> (1-based), or null when it is not running.</summary>
    int? ProcessId(int node);

    /// <summary>SIGKILL node <paramref name="node"/>: a crash, nothing flushed.</summary>
    Task KillAsync(int node, CancellationToken cancellationToken);

    /// <summary>Starts node <paramref name="node"/> again on its stored state and waits until it answers.</summary>
    Task RestartAsync(int node, CancellationToken cancellationToken);

    /// <summary>Where a client writes while <paramref name="down"/> is dead (the gateway, or a surviving member).</summary>
    Uri ProbeAddress(int down);
}
