namespace OrleansRaft.Bench.Targets;

/// <summary>etcd's --heartbeat-interval and --election-timeout in ms; etcd waits a random time in [election, 2 × election).</summary>
public readonly record struct EtcdTimeouts(int HeartbeatMs, int ElectionMs);
