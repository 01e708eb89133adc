using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>The fault injector of the safety phase: crashes, partitions, network weather, transfers, campaigns.</summary>
public sealed partial class SimulationRun
{
    private readonly List<FaultKind> enabledFaults = [];

    private void OnFault()
    {
        if (liveness)
        {
            return;
        }

        var next = rng.NextInt64(profile.FaultMinMs, profile.FaultMaxMs + 1);
        if (queue.Now + next < profile.SafetyMs)
        {
            queue.Schedule(next, new SimEvent(SimEventKind.Fault, 0, 0, 0, null));
        }

        if (enabledFaults.Count == 0)
        {
            AddIf(profile.Crashes, FaultKind.Crash, 2);
            AddIf(profile.Partitions, FaultKind.Partition, 2);
            AddIf(profile.Unreliable, FaultKind.Weather, 1);
            AddIf(profile.Transfers, FaultKind.Transfer, 1);
            AddIf(profile.Campaigns, FaultKind.Campaign, 1);
            AddIf(profile.Pauses, FaultKind.Pause, 1);
            AddIf(profile.Crashes && profile.Partitions, FaultKind.Figure8, 2);
            AddIf(profile.Compaction, FaultKind.Compact, 1);
            AddIf(profile.Membership, FaultKind.Membership, 2);
        }

        var kind = enabledFaults[rng.Next(enabledFaults.Count)];
        trace.Add(-6, (long)kind);
        switch (kind)
        {
            case FaultKind.Crash:
                CrashSome();
                break;
            case FaultKind.Partition:
                Partition();
                break;
            case FaultKind.Weather:
                ChangeWeather();
                break;
            case FaultKind.Transfer:
                Transfer();
                break;
            case FaultKind.Campaign:
                ForceCampaign();
                break;
            case FaultKind.Pause:
                Pause();
                break;
            case FaultKind.Figure8:
                Figure8();
                break;
            case FaultKind.Compact:
                CompactSome();
                break;
            case FaultKind.Membership:
                ChangeMembership();
                break;
            default:
                Fail("internal", $"unknown fault {kind}");
                break;
        }
    }

    /// <summary>
    /// Figure 8 (§5.4.2) as a recipe: the leader keeps taking proposals but reaches only a minority, then crashes
    /// and soon returns, so leaders of different terms leave different entries at the same index. Repeated, this
    /// is what catches a leader that commits an earlier term's entry by counting replicas.
    /// </summary>
    private void Figure8()
    {
        var leader = CurrentLeader();
        if (leader is null)
        {
            CrashSome();
            return;
        }

        network.Heal();
        var voters = leader.Running.Configuration.Voters;
        var others = voters.Where(id => id != leader.Id).ToArray();
        var minority = RandomSubset(others, rng.Next(0, Math.Max(1, (voters.Length - 1) / 2))).Append(leader.Id).ToArray();
        network.Split(minority);
        var crashAfter = rng.NextInt64(1, (profile.MaxElectionMs / 2) + 1);
        queue.Schedule(crashAfter, new SimEvent(SimEventKind.Crash, leader.Id, leader.Incarnation, 0, null));
        queue.Schedule(crashAfter + rng.NextInt64(1, profile.MaxElectionMs + 1), new SimEvent(SimEventKind.Heal, 0, network.PartitionGeneration, 0, null));
        Log($"figure 8: leader {leader.Id} reaches only {{{string.Join(',', minority)}}}, crashes in {crashAfter}ms");
    }

    /// <summary>
    /// Sometimes a new leader dies within a few round trips of winning: while it is bringing followers up to date
    /// with entries of earlier terms and before its own no-op is on a majority (the window of Figure 8).
    /// </summary>
    private void MaybeCrashNewLeader(SimNode leader)
    {
        if (liveness || !profile.CrashNewLeaders || rng.NextDouble() >= 0.5)
        {
            return;
        }

        var after = rng.NextInt64(1, (3L * profile.MaxDelayMs) + 2);
        queue.Schedule(after, new SimEvent(SimEventKind.Crash, leader.Id, leader.Incarnation, 0, null));
    }

    private void OnPlannedCrash(SimEvent e)
    {
        var node = Node(e.Node);
        if (liveness || !node.IsUp || node.Incarnation != e.Generation)
        {
            return;
        }

        Crash(node, "figure 8");
        queue.Schedule(rng.NextInt64(1, profile.MaxElectionMs + 1), new SimEvent(SimEventKind.Restart, node.Id, node.Incarnation, 0, null));
        Observe(node);
    }

    private void AddIf(bool enabled, FaultKind kind, int weight)
    {
        for (var i = 0; enabled && i < weight; i++)
        {
            enabledFaults.Add(kind);
        }
    }

    private void CrashSome()
    {
        var up = nodes.Where(n => n.IsUp).ToList();
        if (up.Count == 0)
        {
            return;
        }

        var r = rng.NextDouble();
        List<SimNode> victims;
        if (r < 0.4)
        {
            victims = [up[rng.Next(up.Count)]];
        }
        else if (r < 0.75)
        {
            victims = [CurrentLeader() ?? up[rng.Next(up.Count)]];
        }
        else if (r < 0.92)
        {
            victims = [.. up.Where(_ => rng.NextDouble() < 0.5)];
        }
        else
        {
            victims = up; // everyone at once
        }

        foreach (var node in victims)
        {
            Crash(node, r >= 0.92 ? "whole cluster crash" : "fault");
            ScheduleRestart(node);
            Observe(node);
        }
    }

    private void Partition()
    {
        network.Heal();
        var n = nodes.Length;
        var all = Enumerable.Range(1, n).Select(i => (long)i).ToArray();
        var r = rng.Next(6);
        switch (r)
        {
            case 0: // the leader alone
                network.Split([CurrentLeader()?.Id ?? all[rng.Next(n)]]);
                break;
            case 1: // a minority against a majority
                network.Split(RandomSubset(all, rng.Next(1, ((n - 1) / 2) + 1)));
                break;
            case 2: // any split
                network.Split(RandomSubset(all, rng.Next(1, n)));
                break;
            case 3: // one way: a group can hear the rest but not talk to it (or the reverse)
                {
                    var side = RandomSubset(all, rng.Next(1, n));
                    var rest = all.Except(side).ToArray();
                    if (rng.Next(2) == 0)
                    {
                        network.Block(side, rest);
                    }
                    else
                    {
                        network.Block(rest, side);
                    }

                    break;
                }

            case 4: // random directed links
                {
                    var p = 0.1 + (rng.NextDouble() * 0.4);
                    foreach (var a in all)
                    {
                        foreach (var b in all)
                        {
                            if (rng.NextDouble() < p)
                            {
                                network.BlockLink(a, b);
                            }
                        }
                    }

                    break;
                }

            default: // the leader loses a single peer, both ways, or everyone stops hearing from it
                {
                    var leader = CurrentLeader()?.Id ?? all[rng.Next(n)];
                    if (rng.Next(2) == 0)
                    {
                        var peer = all[rng.Next(n)];
                        network.BlockLink(leader, peer);
                        network.BlockLink(peer, leader);
                    }
                    else
                    {
                        network.Block([leader], all);
                    }

                    break;
                }
        }

        var generation = network.PartitionGeneration;
        var duration = rng.NextInt64(50, (rng.NextDouble() < 0.2 ? 10_000 : 3_000) + 1);
        queue.Schedule(duration, new SimEvent(SimEventKind.Heal, 0, generation, 0, null));
        Log($"partition ({network.Describe()}) for {duration}ms");
    }

    private void OnHeal(SimEvent e)
    {
        if (e.Generation == network.PartitionGeneration && network.Partitioned)
        {
            network.Heal();
            Log("partition healed");
        }
    }

    private void ChangeWeather()
    {
        network.DropRate = rng.NextDouble() < 0.3 ? 0 : rng.NextDouble() * 0.3;
        network.DuplicateRate = rng.NextDouble() < 0.5 ? 0 : rng.NextDouble() * 0.1;
        network.MaxDelayMs = rng.Next(network.MinDelayMs, rng.NextDouble() < 0.2 ? 100 : 30);
        Log($"network weather: drop {network.DropRate:0.###} duplicate {network.DuplicateRate:0.###} delay {network.MinDelayMs}-{network.MaxDelayMs}ms");
    }

    private void Transfer()
    {
        var leader = CurrentLeader();
        if (leader is null || leader.IsPaused(queue.Now))
        {
            return;
        }

        var to = rng.Next(1, nodes.Length);
        to = to >= leader.Id ? to + 1 : to; // anyone but itself
        Log($"leader {leader.Id} (term {leader.Running.Term}) asked to transfer leadership to node {to}");
        leader.Running.TransferLeadership(to);
        AfterInput(leader);
    }

    private void ForceCampaign()
    {
        var candidates = nodes.Where(n => n.IsUp && !n.IsPaused(queue.Now) && n.Running.Role != Role.Leader).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var node = candidates[rng.Next(candidates.Count)];
        Log($"node {node.Id} (term {node.Running.Term}) told to campaign");
        node.Running.Campaign();
        AfterInput(node);
    }

    private void Pause()
    {
        var up = nodes.Where(n => n.IsUp && !n.IsPaused(queue.Now)).ToList();
        if (up.Count == 0)
        {
            return;
        }

        var node = rng.Next(2) == 0 ? CurrentLeader() ?? up[rng.Next(up.Count)] : up[rng.Next(up.Count)];
        var duration = rng.NextInt64(10, (3 * profile.MaxElectionMs) + 1);
        node.PausedUntil = queue.Now + duration;
        Log($"pause node {node.Id} ({node.Running.Role} of term {node.Running.Term}) for {duration}ms");
    }

    private long[] RandomSubset(long[] all, int size)
    {
        var copy = (long[])all.Clone();
        rng.Shuffle(copy);
        return copy[..size];
    }
}
