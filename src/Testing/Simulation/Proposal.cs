namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// A command a client proposed to <see cref="Node"/>, which accepted it at (<see cref="Index"/>, <see cref="Term"/>).
/// It is acknowledged once that node applies an entry at that index with that term.
/// </summary>
public sealed class Proposal(long node, long incarnation, long index, long term, long commandId, ReadOnlyMemory<byte> command, long issuedAtMs)
{
    public long Node { get; } = node;

    public long Incarnation { get; } = incarnation;

    public long Index { get; } = index;

    public long Term { get; } = term;

    public long CommandId { get; } = commandId;

    public ReadOnlyMemory<byte> Command { get; } = command;

    public long IssuedAtMs { get; } = issuedAtMs;

    public bool Acknowledged { get; set; }
}
