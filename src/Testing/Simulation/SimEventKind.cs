namespace OrleansRaft.Testing.Simulation;

public enum SimEventKind
{
    /// <summary>A node's logical clock ticks (every tick interval, while its incarnation lives).</summary>
    Tick = 1,

    /// <summary>The network hands a message to its destination.</summary>
    Deliver = 2,

    /// <summary>A client proposes a command or asks for a linearizable read.</summary>
    ClientOp = 3,

    /// <summary>The fault injector picks and applies one fault.</summary>
    Fault = 4,

    /// <summary>A crashed node comes back from its durable storage.</summary>
    Restart = 5,

    /// <summary>A partition ends (only if no newer partition replaced it).</summary>
    Heal = 6,

    /// <summary>The transport tells a sender that a peer could not be reached.</summary>
    Unreachable = 7,

    /// <summary>The safety phase ends: heal, restart everything, make the network reliable.</summary>
    BeginLiveness = 8,

    /// <summary>During the liveness phase: is there one agreed leader, a committed final proposal, everyone caught up?</summary>
    LivenessCheck = 9,

    /// <summary>A node crashes at a planned moment (only if still the same incarnation).</summary>
    Crash = 10,

    /// <summary>The transport tells a leader that a snapshot chunk could not be delivered (ReportSnapshot failure).</summary>
    SnapshotFailed = 11,
}
