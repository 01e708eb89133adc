using Microsoft.AspNetCore.Http;

namespace OrleansRaft.Silo;

/// <summary>A request body, or the response to give instead (413, 400, or nothing when the client went away).</summary>
internal readonly record struct BodyReadResult(byte[]? Body, IResult? Refusal);
