namespace OrleansRaft.Grains;

/// <summary>
/// One membership change. <see cref="Address"/> is where the new member's silo listens; it is replicated (in the
/// state machine's members map) before the configuration entry, so every replica can reach the member.
/// </summary>
public sealed record MembershipRequest(MembershipRequestKind Kind, long NodeId, Uri? Address = null);
