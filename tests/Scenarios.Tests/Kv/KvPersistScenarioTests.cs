using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>6.5840 kvraft 4A with every server crashed and restarted from its store after each round.</summary>
public sealed class KvPersistScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public Task TestPersistOneClient4A() =>
        GenericKvTest.RunAsync(new GenericKvTestOptions { Name = nameof(TestPersistOneClient4A), Clients = 1, Servers = 5, Crash = true }, Seeds.For(441), output);

    [Fact]
    public Task TestPersistConcurrent4A() =>
        GenericKvTest.RunAsync(new GenericKvTestOptions { Name = nameof(TestPersistConcurrent4A), Clients = 5, Servers = 5, Crash = true }, Seeds.For(442), output);

    [Fact]
    public Task TestPersistConcurrentUnreliable4A() =>
        GenericKvTest.RunAsync(new GenericKvTestOptions { Name = nameof(TestPersistConcurrentUnreliable4A), Clients = 5, Servers = 5, Unreliable = true, Crash = true }, Seeds.For(443), output);

    [Fact]
    public Task TestPersistPartition4A() =>
        GenericKvTest.RunAsync(new GenericKvTestOptions { Name = nameof(TestPersistPartition4A), Clients = 5, Servers = 5, Crash = true, Partitions = true }, Seeds.For(444), output);

    [Fact]
    public Task TestPersistPartitionUnreliable4A() =>
        GenericKvTest.RunAsync(new GenericKvTestOptions { Name = nameof(TestPersistPartitionUnreliable4A), Clients = 5, Servers = 5, Unreliable = true, Crash = true, Partitions = true }, Seeds.For(445), output);

    /// <summary>15 clients on 7 servers, random keys and Puts: only the linearizability check can judge the reads.</summary>
    [Fact]
    public Task TestPersistPartitionUnreliableLinearizable4A() =>
        GenericKvTest.RunAsync(
            new GenericKvTestOptions
            {
                Name = nameof(TestPersistPartitionUnreliableLinearizable4A),
                Clients = 15,
                Servers = 7,
                Unreliable = true,
                Crash = true,
                Partitions = true,
                RandomKeys = true,
            },
            Seeds.For(446),
            output);
}
