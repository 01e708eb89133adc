namespace OrleansRaft.Grains.Tests.Postgres;

/// <summary>A measurement rather than a check: it runs only when ORLEANSRAFT_BENCH=1, so test runs stay fast.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ORLEANSRAFT_BENCH") != "1")
        {
            Skip = "a measurement; set ORLEANSRAFT_BENCH=1 to run it";
        }
    }
}
