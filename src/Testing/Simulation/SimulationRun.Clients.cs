using System.Buffers.Binary;
using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>The client workload: unique commands and linearizable reads sent to whoever looks like the leader.</summary>
public sealed partial class SimulationRun
{
    private long clientOps;
    private long proposals;
    private long nextCommandId;
    private long nextReadId;

    private void OnClientOp(SimEvent e)
    {
        if (liveness || clientOps >= profile.MaxClientOps)
        {
            return; // this client is done
        }

        clientOps++;
        var client = clients[(int)e.Arg - 1];
        queue.Schedule(rng.Next(profile.ClientMinMs, profile.ClientMaxMs + 1), e);

        var target = client.LeaderGuess != RaftNode.None ? Node(client.LeaderGuess) : nodes[rng.Next(nodes.Length)];
        if (!target.IsUp || target.IsPaused(queue.Now))
        {
            client.LeaderGuess = RaftNode.None; // connection refused: try someone else next time
            trace.Add(-3, target.Id);
            return;
        }

        client.Outstanding.RemoveAll(Settled);
        if (rng.NextDouble() < profile.ReadRatio || client.Outstanding.Count >= profile.ClientWindow)
        {
            IssueRead(client, target);
        }
        else
        {
            var count = rng.NextDouble() >= profile.BatchRatio ? 1 : rng.NextDouble() < 0.9 ? rng.Next(2, 6) : rng.Next(6, 41);
            Propose(client, target, count, out _);
        }

        AfterInput(target);
    }

    private void IssueRead(SimClient client, SimNode target)
    {
        var id = ++nextReadId;
        var result = target.Running.ReadIndex(id);
        trace.Add(-4, (long)result.Status, result.LeaderHint);
        if (result.Accepted)
        {
            target.Reads[id] = new IssuedRead(id, logChecker.CommittedIndex, queue.Now);
        }
        else
        {
            Redirect(client, result);
        }
    }

    /// <summary>Proposes <paramref name="count"/> fresh commands to <paramref name="target"/> as one batch.</summary>
    private bool Propose(SimClient? client, SimNode target, int count, out Proposal? last)
    {
        var commands = new ReadOnlyMemory<byte>[count];
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = ++nextCommandId;
            var data = new byte[rng.Next(8, 65)];
            rng.NextBytes(data.AsSpan(8));
            BinaryPrimitives.WriteInt64LittleEndian(data, ids[i]);
            commands[i] = data;
        }

        var raft = target.Running;
        var result = count == 1 ? raft.Propose(commands[0]) : raft.Propose(commands);
        trace.Add(-5, (long)result.Status, result.Index);
        last = null;
        if (!result.Accepted)
        {
            if (client is not null)
            {
                Redirect(client, result);
            }

            return false;
        }

        if (result.Index + count - 1 != raft.LastIndex || !raft.TryGetTerm(result.Index, out var term) || term != result.Term)
        {
            Fail(
                "propose-result",
                $"node {target.Id} accepted {count} command(s) at index {result.Index} term {result.Term} but its log now ends at " +
                $"{raft.LastIndex} (term {(raft.TryGetTerm(result.Index, out var t) ? t : -1)} at {result.Index})");
        }

        for (var i = 0; i < count; i++)
        {
            var p = new Proposal(target.Id, target.Incarnation, result.Index + i, result.Term, ids[i], commands[i], queue.Now);
            target.Proposals[(p.Index, p.Term)] = p;
            client?.Outstanding.Add(p);
            last = p;
        }

        proposals += count;
        return true;
    }

    /// <summary>Acknowledged, lost (its node crashed or applied something else there), or given up on.</summary>
    private bool Settled(Proposal p)
    {
        var node = Node(p.Node);
        return p.Acknowledged || node.Incarnation != p.Incarnation || node.Applied >= p.Index ||
            queue.Now - p.IssuedAtMs > profile.ClientTimeoutMs;
    }

    private void Redirect(SimClient client, ProposeResult result)
    {
        if (result.Status != ProposeStatus.NotLeader)
        {
            return; // a transfer is in progress: ask the same node again later
        }

        if (result.LeaderHint < RaftNode.None || result.LeaderHint > nodes.Length)
        {
            Fail("leader-hint", $"node answered NotLeader with hint {result.LeaderHint}, which is no node");
        }

        client.LeaderGuess = result.LeaderHint;
    }
}
