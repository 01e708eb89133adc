namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>
/// One step of a <see cref="FaultSchedule"/>: bring <see cref="Kind"/> about, keep it for <see cref="Hold"/>, undo it,
/// then wait <see cref="Gap"/>. <see cref="Pick"/> chooses among the candidate silos (index modulo their count), so
/// the same seed picks alike whichever silo leads when the episode runs.
/// </summary>
public sealed record FaultEpisode(FaultKind Kind, TimeSpan Hold, TimeSpan Gap, int Pick);
