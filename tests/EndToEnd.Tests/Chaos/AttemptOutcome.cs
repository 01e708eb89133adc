namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>What one request to the gateway says about its operation, by the REST contract (API.md).</summary>
public enum AttemptOutcome
{
    /// <summary>2xx, or 404 key-not-found for a Get: the operation took effect (a Get read the value).</summary>
    Done,

    /// <summary>A status the contract guarantees was not applied (400, 405, 413, 503 with Retry-After).</summary>
    NotApplied,

    /// <summary>Anything else: a timeout, a broken connection, 504, a 5xx or status without such a guarantee.</summary>
    Unknown,
}
