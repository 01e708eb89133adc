namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// One of 6.5840's churn clients, stepped by the test instead of running in a goroutine: it offers a new command
/// to every running server, then polls the index a leader gave it, waiting 10, 20, 50, 100 and 200 ms between
/// polls, and keeps the commands it saw committed; with no leader it waits 79 + 17·id ms. It does one thing per
/// step (a tick), so a client on a network without delay cannot run unboundedly many commands in no time.
/// </summary>
public sealed class RaftChurnClient(RaftTester ts, int id)
{
    private static readonly int[] PollDelays = [10, 20, 50, 100, 200];

    private DateTimeOffset nextAt = DateTimeOffset.MinValue;
    private string? command;
    private long index;
    private int polls;

    /// <summary>Commands this client saw committed at the index a leader gave it.</summary>
    public List<string> Committed { get; } = [];

    /// <summary>Offers a command or polls for one, if that is due by now.</summary>
    public async Task StepAsync()
    {
        if (ts.Cluster.Time.GetUtcNow() < nextAt)
        {
            return;
        }

        if (command is null)
        {
            await OfferAsync();
        }
        else
        {
            await PollAsync();
        }
    }

    private async Task OfferAsync()
    {
        var offered = ts.NewCommand();
        long at = -1;
        foreach (var server in ts.Nodes.Where(ts.Cluster.IsRunning))
        {
            // Try them all: maybe one of them is a leader.
            if (await ts.StartAsync(server, offered) is { IsLeader: true } start)
            {
                at = start.Index;
            }
        }

        if (at == -1)
        {
            nextAt = ts.Cluster.Time.GetUtcNow().AddMilliseconds(79 + (id * 17));
            return;
        }

        (command, index, polls) = (offered, at, 0);
    }

    private async Task PollAsync()
    {
        // Maybe the leader commits the command, maybe not; do not wait forever.
        var (count, applied) = await ts.NCommittedAsync(index);
        if (count > 0)
        {
            if (applied == command)
            {
                Committed.Add(command!);
            }

            command = null;
            return;
        }

        nextAt = ts.Cluster.Time.GetUtcNow().AddMilliseconds(PollDelays[polls++]);
        if (polls == PollDelays.Length)
        {
            command = null;
        }
    }
}
