using System.Globalization;
using System.Text;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Mailbox;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains;

/// <summary>
/// Membership change at runtime, one server at a time (thesis §4.1). The leader first replicates the new member's
/// address (so every replica's transport can reach it), then proposes the configuration entry. A voter joins as a
/// learner and is promoted once caught up (§4.2.1): rounds of replication, each to the leader's last index at its
/// start; the member is promoted after a round that took less than an election timeout.
/// </summary>
public sealed partial class RaftReplicaGrain
{
    private const int MaxCatchUpRounds = 10;

    private readonly Dictionary<long, (long Term, TaskCompletionSource<bool> Committed)> configProposals = [];
    private readonly Dictionary<long, string> peerAddresses = [];
    private long membersVersionSeen = -1;

    // One change at a time on this leader, counting a voter's whole catch-up: the core alone would accept a second
    // change once the learner's entry committed, in the middle of the first.
    private int membershipChanging;

    private TimeSpan ElectionTimeout => options.TickInterval * options.ElectionTicks;

    /// <summary>
    /// Adds or removes one member; leader only. Adding as a voter a node that is already a learner promotes it once
    /// it caught up. See <see cref="MembershipResult"/> for the outcomes.
    /// </summary>
    public async Task<MembershipResult> ChangeMembership(MembershipRequest request, CancellationToken cancellationToken)
    {
        if (request.NodeId <= 0)
        {
            return Refused(ProposeStatus.NotMember, "node ids are positive");
        }

        if (request.Address is { } given && (!given.IsAbsoluteUri || given.Scheme is not ("http" or "https")))
        {
            return Refused(ProposeStatus.Accepted, $"the address {given} is not an absolute http(s) URI");
        }

        if (Interlocked.Exchange(ref membershipChanging, 1) != 0)
        {
            return Refused(ProposeStatus.ChangeInProgress, "another membership change is in progress on this leader");
        }

        try
        {
            return await ChangeMembershipAsync(request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new MembershipResult(MembershipStatus.Timeout) { Detail = "no outcome before the deadline" };
        }
        catch (InvalidOperationException e) when (e.Source == nameof(OnTurn))
        {
            return new MembershipResult(MembershipStatus.Unavailable) { Detail = e.Message };
        }
        finally
        {
            Volatile.Write(ref membershipChanging, 0);
        }
    }

    private async Task<MembershipResult> ChangeMembershipAsync(MembershipRequest request, CancellationToken cancellationToken)
    {
        var id = request.NodeId;
        var change = request.Kind switch
        {
            MembershipRequestKind.AddVoter or MembershipRequestKind.AddLearner => MembershipChange.AddLearner(id),
            _ => MembershipChange.RemoveNode(id),
        };

        // A voter asked for that is a learner already only needs catching up and promoting.
        var promoteOnly = request.Kind == MembershipRequestKind.AddVoter
            && await OnTurn(() => node.Role == Role.Leader && node.Configuration.IsLearner(id), cancellationToken);

        // Checked before the address is written, so a refused change leaves no trace in the state machine.
        var check = promoteOnly ? null : await OnTurn(() => Check(change), cancellationToken);
        if (check is not null)
        {
            return check;
        }

        if (request.Address is { } address && change.Kind != MembershipChangeKind.RemoveNode)
        {
            var written = await Write(KvOperation.MemberAddress, Key(id), Encoding.UTF8.GetBytes(address.ToString()), null, cancellationToken);
            if (written.Status != KvStatus.Ok)
            {
                return FromWrite(written);
            }
        }

        var result = promoteOnly ? new MembershipResult(MembershipStatus.Ok) : await ProposeConfigurationAsync(change, cancellationToken);
        if (result.Status != MembershipStatus.Ok)
        {
            return result;
        }

        if (request.Kind == MembershipRequestKind.Remove)
        {
            // Best effort: a leader that removed itself has stepped down by now, and a stale address is harmless.
            await Write(KvOperation.MemberAddress, Key(id), ReadOnlyMemory<byte>.Empty, null, cancellationToken);
            return result;
        }

        if (request.Kind == MembershipRequestKind.AddVoter)
        {
            if (await CatchUpAsync(id, cancellationToken) is { } behind)
            {
                return behind;
            }

            result = await ProposeConfigurationAsync(MembershipChange.PromoteLearner(id), cancellationToken);
        }

        return result;
    }

    /// <summary>Null if <paramref name="change"/> may be proposed now; runs on the turn loop.</summary>
    private MembershipResult? Check(MembershipChange change)
    {
        if (node.Role != Role.Leader)
        {
            return new MembershipResult(MembershipStatus.NotLeader) { LeaderHint = node.Leader, Detail = "this replica does not lead" };
        }

        var status = node.Configuration.Check(change);
        return status == ProposeStatus.Accepted ? null : Refused(status, Describe(status, change.NodeId));
    }

    /// <summary>Proposes one configuration entry and waits until it commits (the entry applied here has its term).</summary>
    private async Task<MembershipResult> ProposeConfigurationAsync(MembershipChange change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (proposed, committed) = await OnTurn(
                () =>
                {
                    var result = node.ProposeMembership(change);
                    if (!result.Accepted)
                    {
                        return (result, Task.FromResult(false));
                    }

                    var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    configProposals[result.Index] = (result.Term, done);
                    return (result, done.Task);
                },
                cancellationToken);
            switch (proposed.Status)
            {
                case ProposeStatus.Accepted:
                    if (!await committed.WaitAsync(cancellationToken))
                    {
                        return new MembershipResult(MembershipStatus.Timeout) { Detail = $"{change} was superseded or its outcome is unknown" };
                    }

                    return await OnTurn(
                        () => new MembershipResult(MembershipStatus.Ok) { Voters = node.Configuration.Voters, Learners = node.Configuration.Learners },
                        cancellationToken);
                case ProposeStatus.TermNotCommitted:
                    // A new leader commits its no-op within a round trip: wait for it.
                    await Task.Delay(options.TickInterval, time, cancellationToken);
                    continue;
                case ProposeStatus.NotLeader:
                    return new MembershipResult(MembershipStatus.NotLeader) { LeaderHint = proposed.LeaderHint, Detail = "this replica does not lead" };
                default:
                    return Refused(proposed.Status, Describe(proposed.Status, change.NodeId));
            }
        }
    }

    /// <summary>
    /// Null once learner <paramref name="id"/> caught up (thesis §4.2.1); otherwise why it could not be promoted. A round
    /// gives up only when the learner made no progress (match index, or offset into the snapshot being sent) for the
    /// round limit: a large snapshot may take far longer than that, and it is still progress.
    /// </summary>
    private async Task<MembershipResult?> CatchUpAsync(long id, CancellationToken cancellationToken)
    {
        var stallLimit = TimeSpan.FromTicks(Math.Max(ElectionTimeout.Ticks * 20, TimeSpan.FromSeconds(5).Ticks));
        for (var round = 0; round < MaxCatchUpRounds; round++)
        {
            var started = time.GetUtcNow();
            var progressed = started;
            (long Match, long Offset) seen = (-1, -1);
            var target = await OnTurn(() => node.Role == Role.Leader ? node.Status().LastIndex : -1, cancellationToken);
            while (true)
            {
                var (match, offset) = await OnTurn(
                    () => node.Role == Role.Leader && node.Status().Followers.TryGetValue(id, out var follower) ? (follower.MatchIndex, follower.SnapshotOffset) : (-1L, -1L),
                    cancellationToken);
                if (target < 0 || match < 0)
                {
                    return new MembershipResult(MembershipStatus.NotLeader) { LeaderHint = node.Leader, Detail = $"leadership or node {id} was lost while it caught up; it may stay a learner" };
                }

                if (match >= target)
                {
                    break;
                }

                if ((match, offset) != seen)
                {
                    seen = (match, offset);
                    progressed = time.GetUtcNow();
                }
                else if (time.GetUtcNow() - progressed > stallLimit)
                {
                    return new MembershipResult(MembershipStatus.Timeout) { Detail = $"node {id} made no progress for {stallLimit.TotalSeconds:0.#} s (match {match}, target {target}); it stays a learner" };
                }

                await Task.Delay(options.TickInterval, time, cancellationToken);
            }

            if (time.GetUtcNow() - started <= ElectionTimeout)
            {
                return null;
            }
        }

        return new MembershipResult(MembershipStatus.Timeout) { Detail = $"node {id} did not catch up within {MaxCatchUpRounds} rounds; it stays a learner" };
    }

    /// <summary>Runs <paramref name="run"/> on the turn loop, where the core may be touched.</summary>
    private Task<T> OnTurn<T>(Func<T> run, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var item = new TurnItem(
            () =>
            {
                try
                {
                    reply.TrySetResult(run());
                }
                catch (Exception e)
                {
                    reply.TrySetException(e);
                }
            },
            reason => reply.TrySetException(Stopped(reason)));
        if (!mailbox.Writer.TryWrite(item))
        {
            reply.TrySetException(Stopped(failure ?? "the replica is stopping"));
        }

        return reply.Task.WaitAsync(cancellationToken);
    }

    private static InvalidOperationException Stopped(string reason) => new(reason) { Source = nameof(OnTurn) };

    /// <summary>Tells the transport about member addresses that changed in the state machine; on the turn loop.</summary>
    private void SyncPeers()
    {
        if (kv.MembersVersion == membersVersionSeen || transport is not IPeerDirectory directory)
        {
            return;
        }

        membersVersionSeen = kv.MembersVersion;
        foreach (var (id, address) in kv.Members)
        {
            if (id != NodeId && (!peerAddresses.TryGetValue(id, out var known) || known != address)
                && Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                directory.SetPeer(id, uri);
                peerAddresses[id] = address;
            }
        }

        foreach (var gone in peerAddresses.Keys.Where(id => !kv.Members.ContainsKey(id)).ToList())
        {
            directory.RemovePeer(gone);
            peerAddresses.Remove(gone);
        }
    }

    /// <summary>Answers configuration proposals whose entry was applied; on the turn loop.</summary>
    private void OnConfigurationApplied(LogEntry entry)
    {
        if (configProposals.Remove(entry.Index, out var proposal))
        {
            proposal.Committed.TrySetResult(proposal.Term == entry.Term);
        }
    }

    /// <summary>Configuration proposals up to <paramref name="index"/> whose outcome can no longer be seen here.</summary>
    private void AbandonConfigurationProposals(long index)
    {
        foreach (var at in configProposals.Keys.Where(i => i <= index).ToList())
        {
            configProposals.Remove(at, out var proposal);
            proposal.Committed.TrySetResult(false);
        }
    }

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static MembershipResult Refused(ProposeStatus reason, string detail) =>
        new(MembershipStatus.Refused) { Reason = reason, Detail = detail };

    private static MembershipResult FromWrite(KvResponse written) => written.Status switch
    {
        KvStatus.NotLeader => new MembershipResult(MembershipStatus.NotLeader) { LeaderHint = written.LeaderHint, Detail = written.Detail },
        KvStatus.Timeout => new MembershipResult(MembershipStatus.Timeout) { Detail = written.Detail },
        _ => new MembershipResult(MembershipStatus.Unavailable) { Detail = written.Detail },
    };

    private static string Describe(ProposeStatus status, long id) => status switch
    {
        ProposeStatus.AlreadyMember => $"node {id} is already a member",
        ProposeStatus.NotMember => $"node {id} is not a member",
        ProposeStatus.NotLearner => $"node {id} is already a voter",
        ProposeStatus.LastVoter => $"node {id} is the last voter: nobody could commit or be elected without it",
        ProposeStatus.ChangeInProgress => "the previous membership change has not committed yet",
        ProposeStatus.TransferInProgress => "a leadership transfer is in progress",
        _ => status.ToString(),
    };
}
