namespace OrleansRaft.EndToEnd.Tests;

/// <summary>One member of <see cref="MembersView"/>: its id, base address and role (voter or learner).</summary>
public sealed record MemberView(long Id, string? Address, string Role);
