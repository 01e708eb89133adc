namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>
/// One request's <see cref="Outcome"/>; for a Get that is Done, the <see cref="Value"/> read (null: absent).
/// <see cref="Unexpected"/> names an answer a valid request should never get (e.g. 400 or 500), null otherwise.
/// </summary>
public readonly record struct ClassifiedAttempt(AttemptOutcome Outcome, string? Value, string? Unexpected);
