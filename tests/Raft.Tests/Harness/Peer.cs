using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Raft.Tests.Harness;

/// <summary>
/// One replica under test together with the host around it: its durable <see cref="MemoryStorage"/>, the
/// entries it applied and the reads it answered. <see cref="HandleReadies"/> follows the host contract
/// (persist, send, apply, Advance) and checks on every Ready that nothing leaves before it is durable.
/// </summary>
internal sealed class Peer
{
    private readonly string context;
    private long lastApplied;

    public Peer(RaftOptions options, MemoryStorage storage, string context)
    {
        Options = options;
        Storage = storage;
        this.context = context;
        Node = new RaftNode(options, storage);
        lastApplied = Node.AppliedIndex;
    }

    public RaftOptions Options { get; private set; }

    public RaftNode Node { get; private set; }

    public MemoryStorage Storage { get; }

    public long Id => Node.Id;

    /// <summary>Every committed entry handed to this host, in order.</summary>
    public List<LogEntry> Applied { get; } = [];

    /// <summary>Every snapshot this host installed from a Ready, in order.</summary>
    public List<Snapshot> Installed { get; } = [];

    /// <summary>The index the state machine reached by installing a snapshot (0 when it never did).</summary>
    public long RestoredTo { get; private set; }

    /// <summary>Every read this host was told it may serve.</summary>
    public List<ReadState> ReadStates { get; } = [];

    /// <summary>How many of <see cref="Applied"/> the network has checked against the other replicas.</summary>
    public int AppliedChecked { get; set; }

    /// <summary>Every Ready handled, oldest first.</summary>
    public List<Ready> Readies { get; } = [];

    /// <summary>A peer with its own storage and no network: for driving one node by hand.</summary>
    public static Peer Create(long id, MemoryStorage storage, Func<RaftOptions, RaftOptions>? configure = null, int seed = 1)
    {
        var options = new RaftOptions { Id = id, Random = new Random(seed) };
        return new Peer(configure is null ? options : configure(options), storage, $"seed {seed}");
    }

    /// <summary>A founding member of a new group of <paramref name="voters"/>, with empty storage.</summary>
    public static Peer Founding(long id, IReadOnlyList<long> voters, Func<RaftOptions, RaftOptions>? configure = null, int seed = 1) =>
        Create(id, new MemoryStorage(), o => (configure ?? (x => x))(o with { InitialVoters = voters }), seed);

    /// <summary>Steps <paramref name="message"/> and returns what the node sends as a result.</summary>
    public List<RaftMessage> Step(RaftMessage message)
    {
        Node.Step(message);
        return HandleReadies();
    }

    /// <summary>Handles Ready after Ready until the node has nothing more; returns the messages to send, in order.</summary>
    public List<RaftMessage> HandleReadies()
    {
        var outbox = new List<RaftMessage>();
        var guard = 0;
        while (Node.HasReady())
        {
            if (++guard > 10_000)
            {
                throw new InvalidOperationException($"{context}: node {Id} keeps producing Ready batches");
            }

            outbox.AddRange(Handle(Node.Ready()));
        }

        return outbox;
    }

    /// <summary>
    /// The host snapshots its state machine at the applied index (with <paramref name="data"/> standing for its state)
    /// and compacts its log up to <paramref name="compactTo"/> (default: the applied index), as §7 describes.
    /// </summary>
    public Snapshot Compact(long? compactTo = null, byte[]? data = null)
    {
        var snapshot = Storage.CreateSnapshot(Node.AppliedIndex, Node.AppliedConfiguration, data ?? []);
        Storage.Compact(compactTo ?? Node.AppliedIndex);
        return snapshot;
    }

    /// <summary>Simulates a crash and restart: a new node over the same durable storage.</summary>
    public void Restart(Func<RaftOptions, RaftOptions>? configure = null)
    {
        Options = (configure ?? (x => x))(Options with { Applied = lastApplied });
        Node = new RaftNode(Options, Storage);
    }

    /// <summary>Handles one Ready taken by the test itself: persist, check, apply, Advance.</summary>
    public IReadOnlyList<RaftMessage> Handle(Ready ready)
    {
        var before = Storage.HardState;
        var needsSync = ready.Entries.Count > 0 || ready.Snapshot is not null
            || (ready.HardState is { } changed && (changed.Term != before.Term || changed.Vote != before.Vote));
        if (needsSync && !ready.MustSync)
        {
            throw new InvalidOperationException($"{context}: node {Id} produced a Ready that changes term, vote or entries without MustSync");
        }

        // 1. Persist: the snapshot (it replaces the log), then hard state and entries (Append deletes a conflicting
        // stored suffix).
        if (ready.Snapshot is { } snapshot)
        {
            if (snapshot.Index <= Storage.HardState.Commit || ready.HardState?.Commit < snapshot.Index)
            {
                throw new InvalidOperationException(
                    $"{context}: node {Id} installs a snapshot at {snapshot.Index} not beyond its commit {Storage.HardState.Commit} or not committed by the Ready");
            }

            Storage.ApplySnapshot(snapshot);
        }

        if (ready.HardState is { } hardState)
        {
            Storage.SetHardState(hardState);
        }

        Storage.Append(ready.Entries);

        // 2. Send: every message must depend only on what is now durable.
        foreach (var message in ready.Messages)
        {
            CheckDurable(message);
        }

        // 3. Apply: restore from the snapshot first, then the entries after it.
        if (ready.Snapshot is { } restored)
        {
            lastApplied = restored.Index;
            RestoredTo = restored.Index;
            Installed.Add(restored);
        }

        foreach (var entry in ready.CommittedEntries)
        {
            if (entry.Index != lastApplied + 1)
            {
                throw new InvalidOperationException($"{context}: node {Id} applies {entry.Index} after {lastApplied}");
            }

            if (entry.Index > Storage.HardState.Commit)
            {
                throw new InvalidOperationException($"{context}: node {Id} applies {entry.Index} beyond its durable commit {Storage.HardState.Commit}");
            }

            lastApplied = entry.Index;
            Applied.Add(entry);
        }

        ReadStates.AddRange(ready.ReadStates);
        Readies.Add(ready);
        Node.Advance(ready);
        return ready.Messages;
    }

    private void CheckDurable(RaftMessage message)
    {
        switch (message)
        {
            case VoteResponse { PreVote: false, Granted: true } vote
                when Storage.HardState.Term != vote.Term || Storage.HardState.Vote != vote.To:
                throw new InvalidOperationException(
                    $"{context}: node {Id} grants its term-{vote.Term} vote to {vote.To} but has persisted {Storage.HardState}");
            case AppendResponse { Success: true } ack when Storage.LastIndex < ack.Index:
                throw new InvalidOperationException(
                    $"{context}: node {Id} acknowledges index {ack.Index} but has persisted only up to {Storage.LastIndex}");
            case InstallSnapshotResponse { Done: true } ack when Storage.LastIndex < ack.Index:
                throw new InvalidOperationException(
                    $"{context}: node {Id} acknowledges a snapshot up to {ack.Index} but has persisted only up to {Storage.LastIndex}");
            case VoteRequest { PreVote: false } request
                when Storage.HardState.Term != request.Term || Storage.HardState.Vote != Id:
                throw new InvalidOperationException(
                    $"{context}: node {Id} asks for votes in term {request.Term} before persisting its own vote ({Storage.HardState})");
        }
    }
}
