using Microsoft.Extensions.Logging;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Grains;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>
/// The group's leader as this gateway last knew it (0 = unknown). Requests update it from NotLeader hints and
/// failures; when it is unknown, one status round to every silo at a time finds it, shared by all waiting requests.
/// </summary>
internal sealed partial class LeaderCache(SiloSet silos, GatewayOptions options, ILogger<LeaderCache> logger)
{
    private readonly Lock gate = new();
    private long leader;
    private Task<long>? discovery;

    public long Current => Volatile.Read(ref leader);

    /// <summary>A NotLeader from <paramref name="stale"/> named <paramref name="hint"/>; a newer update wins.</summary>
    public void Replace(long stale, long hint)
    {
        if (Interlocked.CompareExchange(ref leader, hint, stale) == stale && stale != hint)
        {
            LogLeaderChanged(stale, hint, "named by the previous leader");
        }
    }

    /// <summary><paramref name="stale"/> failed or refused as leader: forget it unless another request already moved on.</summary>
    public void Forget(long stale)
    {
        if (stale != 0 && Interlocked.CompareExchange(ref leader, 0, stale) == stale)
        {
            LogLeaderForgotten(stale);
        }
    }

    /// <summary>The leader, asking the silos when it is unknown; 0 when none is known before the discovery ends.</summary>
    public async Task<long> ResolveAsync(CancellationToken cancellationToken)
    {
        var known = Current;
        if (known != 0)
        {
            return known;
        }

        Task<long> running;
        lock (gate)
        {
            if (discovery is null || discovery.IsCompleted)
            {
                discovery = DiscoverAsync();
            }

            running = discovery;
        }

        try
        {
            return await running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>
    /// Every member silo's status, asked in parallel; an unreachable or slow silo gives its error instead. The statuses
    /// teach <see cref="SiloSet"/> who the members are.
    /// </summary>
    public async Task<SiloProbe[]> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var members = silos.Members;
        var probes = new Task<SiloProbe>[members.Count];
        for (var i = 0; i < probes.Length; i++)
        {
            probes[i] = ProbeOneAsync(members[i], timeout, cancellationToken);
        }

        var answers = await Task.WhenAll(probes);
        foreach (var answer in answers)
        {
            if (answer.Status is { } status)
            {
                silos.Learn(status);
            }
        }

        return answers;
    }

    /// <summary>
    /// The leader these statuses show: a replica in role leader with the highest term (an old leader cut off from
    /// the others may still think it leads), else the leader the highest-term replica names; 0 when none.
    /// </summary>
    public long Pick(IReadOnlyList<SiloProbe> probes)
    {
        ReplicaStatus? best = null;
        ReplicaStatus? newest = null;
        foreach (var probe in probes)
        {
            if (probe.Status is not { } status || status.Failure is not null)
            {
                continue;
            }

            if (status.Role == "leader" && (best is null || status.Term > best.Term))
            {
                best = status;
            }

            if (newest is null || status.Term > newest.Term)
            {
                newest = status;
            }
        }

        var id = best?.NodeId ?? newest?.Leader ?? 0;
        return silos.Find(id) is null ? 0 : id;
    }

    private async Task<long> DiscoverAsync()
    {
        var probes = await ProbeAsync(options.StatusTimeout, CancellationToken.None);
        var found = Pick(probes);
        if (found != 0)
        {
            var previous = Interlocked.Exchange(ref leader, found);
            if (previous != found)
            {
                LogLeaderChanged(previous, found, "found by asking the silos");
            }
        }

        return found;
    }

    private static async Task<SiloProbe> ProbeOneAsync(SiloEntry silo, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (id, client) = silo;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return new SiloProbe(id, client.Silo, await client.Status(limit.Token), null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return new SiloProbe(id, client.Silo, null, $"no status within {timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or OperationCanceledException)
        {
            return new SiloProbe(id, client.Silo, null, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader of the group: node {Leader} ({How}; was node {Previous})")]
    private partial void LogLeaderChanged(long previous, long leader, string how);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader node {Leader} failed or stepped down; finding the new one")]
    private partial void LogLeaderForgotten(long leader);
}
