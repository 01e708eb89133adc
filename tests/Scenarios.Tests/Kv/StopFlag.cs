namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>Tells a scenario's clients to stop after the operation in hand (6.5840's done_clients).</summary>
internal sealed class StopFlag
{
    private volatile bool set;

    public bool IsSet => set;

    public void Set() => set = true;
}
