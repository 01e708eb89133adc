namespace OrleansRaft.Scenarios.Tests.Harness;

public static class KvTaskExtensions
{
    /// <summary>A task with a result, for <c>TestCluster.RunAsync</c>, which runs the cluster until a <c>Task&lt;T&gt;</c> completes.</summary>
    public static async Task<bool> Done(this Task operation)
    {
        await operation;
        return true;
    }
}
