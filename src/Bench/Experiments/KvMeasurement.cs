using OrleansRaft.Bench.Measurement;

namespace OrleansRaft.Bench.Experiments;

/// <summary>One measured point of a key/value experiment: which system, its size, the mix, what came out, and who used the cores.</summary>
/// <param name="Phase">"put", "get" or "mix": what the point's operations were.</param>
public sealed record KvMeasurement(string Target, int Nodes, int ReadPercent, string Phase, LoadResult Result, CpuSplit? Cpu, string Http);
