namespace OrleansRaft.Gateway.Tests.Telemetry;

/// <summary>
/// Activity and meter listeners see the whole process, so these tests run alone: xunit runs collections
/// without parallelization after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
