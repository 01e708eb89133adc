namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// A ReadIndex request a node accepted at <paramref name="IssuedAtMs"/>, when the highest commit index any node
/// had reached was <paramref name="MinIndex"/>: the read index it is answered with must be at least that.
/// </summary>
public readonly record struct IssuedRead(long RequestId, long MinIndex, long IssuedAtMs);
