using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;
using OrleansRaft.Raft.Tracking;

namespace OrleansRaft.Raft;

/// <summary>
/// One Raft replica as a pure state machine, in the spirit of etcd's RawNode: inputs are <see cref="Tick"/>,
/// <see cref="Step"/>, <see cref="Propose(ReadOnlyMemory{byte})"/>, <see cref="ReadIndex"/>,
/// <see cref="TransferLeadership"/>, <see cref="ProposeMembership"/> and the transport's reports
/// (<see cref="ReportUnreachable"/>, <see cref="ReportSnapshot"/>); output is a <see cref="Raft.Ready"/> that the
/// host persists, sends and applies before calling <see cref="Advance"/>. No I/O, no clock, no threads; not
/// thread-safe.
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>"No node": no vote cast, no leader known.</summary>
    public const long None = 0;

    private readonly RaftOptions options;
    private readonly RaftLog log;
    private readonly Random random;
    private readonly Dictionary<long, Progress> progress = [];
    private readonly Dictionary<long, bool> votes = [];
    private readonly Func<long, long> matchIndexOf;
    private List<RaftMessage> messages = [];

    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;
    private long leadTransferee;
    private long configIndex;

    public RaftNode(RaftOptions options, ILogReader storage)
    {
        options.Validate();
        this.options = options;
        matchIndexOf = id => progress.TryGetValue(id, out var p) ? p.Match : 0;
        random = options.Random;
        Id = options.Id;
        log = new RaftLog(storage, options.Applied);
        var hardState = storage.HardState;
        Term = hardState.Term;
        Vote = hardState.Vote;
        prevHardState = hardState;

        if (storage.LastIndex == 0 && storage.FirstIndex == 1 && options.InitialVoters.Count > 0)
        {
            // A founding member: every founder writes the same entry 1, so it may count as committed at once.
            var founding = new Configuration(options.InitialVoters, []);
            Term = Math.Max(Term, 1);
            log.Append([new LogEntry(1, 1, EntryKind.Configuration, founding.Encode())]);
            log.CommitTo(1);
        }

        (var configuration, configIndex) = log.LatestConfiguration(log.LastIndex);
        Configuration = configuration ?? Configuration.Empty;
        AppliedConfiguration = log.LatestConfiguration(log.Applied).Configuration ?? Configuration.Empty;
        BecomeFollower(Term, None);
        prevSoftState = SoftState;
    }

    public long Id { get; }

    public long Term { get; private set; }

    public long Vote { get; private set; }

    public long Leader { get; private set; }

    public Role Role { get; private set; }

    public long CommitIndex => log.Committed;

    public long AppliedIndex => log.Applied;

    /// <summary>The last index of the log, persisted or not.</summary>
    public long LastIndex => log.LastIndex;

    public long FirstIndex => log.FirstIndex;

    /// <summary>The configuration in force: the newest one in the log, committed or not (thesis §4.1).</summary>
    public Configuration Configuration { get; private set; }

    /// <summary>
    /// The configuration as of <see cref="AppliedIndex"/>: the one a snapshot the host takes at AppliedIndex must
    /// carry (<see cref="Storage.MemoryStorage.CreateSnapshot"/>), so membership survives compaction.
    /// </summary>
    public Configuration AppliedConfiguration { get; private set; }

    private SoftState SoftState => new(Leader, Role);

    private bool Promotable => Configuration.IsVoter(Id);

    public bool TryGetTerm(long index, out long term) => log.TryGetTerm(index, out term);

    /// <summary>Advances logical time by one tick.</summary>
    public void Tick()
    {
        if (Role == Role.Leader)
        {
            TickLeader();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>Starts an election now (with a pre-vote first when enabled).</summary>
    public void Campaign()
    {
        if (Role != Role.Leader)
        {
            StartElection(preVote: options.PreVote, transfer: false);
        }
    }

    /// <summary>Proposes one command; see <see cref="Propose(IReadOnlyList{ReadOnlyMemory{byte}})"/>.</summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> command) => Propose([command]);

    /// <summary>
    /// Appends commands to the leader's log as consecutive entries from the returned index. They go out in one
    /// AppendEntries per follower with the next <see cref="Ready"/>, together with everything else proposed
    /// since the last one (batching).
    /// </summary>
    public ProposeResult Propose(IReadOnlyList<ReadOnlyMemory<byte>> commands)
    {
        if (Role != Role.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, Term, Leader);
        }

        if (leadTransferee != None)
        {
            return new ProposeResult(ProposeStatus.TransferInProgress, 0, Term, leadTransferee);
        }

        var first = log.LastIndex + 1;
        var entries = new LogEntry[commands.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new LogEntry(first + i, Term, EntryKind.Command, commands[i]);
        }

        AppendAsLeader(entries);
        return new ProposeResult(ProposeStatus.Accepted, first, Term, Id);
    }

    /// <summary>
    /// Starts a leadership transfer to <paramref name="to"/> (thesis §3.10): the leader stops taking proposals,
    /// brings the target up to date, then tells it to time out. Abandoned after one election timeout.
    /// </summary>
    public bool TransferLeadership(long to)
    {
        if (Role != Role.Leader || to == Id || !Configuration.IsVoter(to) || leadTransferee == to)
        {
            return false;
        }

        leadTransferee = to;
        electionElapsed = 0;
        if (progress[to].Match == log.LastIndex)
        {
            Send(new TimeoutNow(Id, to, Term));
        }
        else
        {
            SendAppend(to, sendIfEmpty: true);
        }

        return true;
    }

    /// <summary>
    /// The host could not reach <paramref name="peer"/>: stop streaming to it and probe instead. A snapshot transfer
    /// goes on: its outstanding chunk is sent again once the peer answers a heartbeat.
    /// </summary>
    public void ReportUnreachable(long peer)
    {
        if (Role != Role.Leader || !progress.TryGetValue(peer, out var pr))
        {
            return;
        }

        if (pr.State == ProgressState.Replicate)
        {
            pr.BecomeProbe();
        }
        else if (pr.State == ProgressState.Snapshot)
        {
            pr.ChunkSent = false;
        }
    }

    /// <summary>The leader's tracker for <paramref name="id"/>: a seam for unit tests, as etcd's tests reach into trk.Progress.</summary>
    internal Progress? ProgressOf(long id) => progress.GetValueOrDefault(id);

    /// <summary>
    /// A point-in-time view. A leader includes every other member's progress (<see cref="FollowerStatus"/>): a host
    /// promotes a learner once its match index is close to the commit index.
    /// </summary>
    public RaftStatus Status()
    {
        var followers = Role == Role.Leader
            ? progress.Where(p => p.Key != Id).ToDictionary(p => p.Key, p => p.Value.ToStatus(Configuration.IsLearner(p.Key)))
            : new Dictionary<long, FollowerStatus>();
        return new RaftStatus(Id, Role, Term, Vote, Leader, log.Committed, log.Applied, log.FirstIndex, log.LastIndex, Configuration, followers);
    }

    public override string ToString() => $"node {Id} {Role} term {Term} commit {log.Committed} last {log.LastIndex}";

    private void Send(RaftMessage message) => messages.Add(message);

    private void AppendAsLeader(LogEntry[] entries)
    {
        log.Append(entries);
        OnAppended(entries);
        appendPending = true;
    }

    /// <summary>A configuration takes effect as soon as it is in the log (thesis §4.1), and is undone if truncated.</summary>
    private void OnAppended(ReadOnlySpan<LogEntry> entries)
    {
        if (entries.Length == 0)
        {
            return;
        }

        Configuration? latest = null;
        long latestIndex = 0;
        if (entries[0].Index <= configIndex)
        {
            (latest, latestIndex) = log.LatestConfiguration(entries[0].Index - 1);
            latest ??= Configuration.Empty;
        }

        foreach (var entry in entries)
        {
            if (entry.Kind == EntryKind.Configuration)
            {
                latest = Configuration.Decode(entry.Data.Span);
                latestIndex = entry.Index;
            }
        }

        if (latest is not null)
        {
            configIndex = latestIndex;
            ApplyConfiguration(latest);
        }
    }

    private void ApplyConfiguration(Configuration configuration)
    {
        Configuration = configuration;
        if (Role != Role.Leader)
        {
            return;
        }

        foreach (var id in progress.Keys.Where(id => !configuration.Contains(id)).ToList())
        {
            progress.Remove(id);
        }

        foreach (var id in configuration.Members.Where(id => !progress.ContainsKey(id)))
        {
            progress[id] = new Progress(log.LastIndex + 1, options.MaxInflightMessages);
        }
    }
}
