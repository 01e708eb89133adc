namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>A silo as <see cref="FaultInjector"/> left it.</summary>
public enum SiloState
{
    Running,

    /// <summary>SIGSTOPped.</summary>
    Paused,

    /// <summary>SIGKILLed, not restarted yet.</summary>
    Killed,
}
