using Xunit.Abstractions;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>
/// Where silo and gateway log lines go: the output of the test running now, so a failed test shows what the
/// cluster did. A shared fixture outlives its tests, so each test class points it at its own output.
/// </summary>
internal sealed class OutputSink(ITestOutputHelper? output = null)
{
    private volatile ITestOutputHelper? output = output;

    public ITestOutputHelper? Output
    {
        get => output;
        set => output = value;
    }

    public void Write(string line)
    {
        try
        {
            output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; a server still stopping has nowhere to write.
        }
    }
}
