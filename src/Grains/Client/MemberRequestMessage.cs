namespace OrleansRaft.Grains.Client;

/// <summary>The body of <c>POST /replica/v1/{group}/members</c>: a member to add.</summary>
/// <param name="Role">"voter" (the default) or "learner".</param>
public sealed record MemberRequestMessage(long Id, string? Address = null, string? Role = null)
{
    /// <summary>The grain request this message asks for, or why it is malformed.</summary>
    public (MembershipRequest? Request, string? Problem) ToRequest()
    {
        if (Id <= 0)
        {
            return (null, "'id' must be a positive node id");
        }

        Uri? address = null;
        if (Address is not null && (!Uri.TryCreate(Address, UriKind.Absolute, out address) || address.Scheme is not ("http" or "https")))
        {
            return (null, $"'address' must be an absolute http:// URI, not '{Address}'");
        }

        return Role switch
        {
            null or "voter" => (new MembershipRequest(MembershipRequestKind.AddVoter, Id, address), null),
            "learner" => (new MembershipRequest(MembershipRequestKind.AddLearner, Id, address), null),
            _ => (null, $"'role' must be \"voter\" or \"learner\", not '{Role}'"),
        };
    }
}
