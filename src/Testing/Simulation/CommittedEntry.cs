namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// What the run knows about a committed index: the entry's term, the chain hash of the log up to it, and the
/// commit term: the observer's term when the index was first seen committed (never lower than the previous
/// index's, so it is non-decreasing and can be binary searched). Every leader of a later term must hold it.
/// </summary>
public readonly record struct CommittedEntry(long Term, ulong Chain, long CommitTerm);
