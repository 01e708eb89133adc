using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Silo;

/// <summary>Sends a silo's log lines to the test's output, so a failed cluster test shows what the silos did.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, string prefix) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(output, prefix, categoryName);

    public void Dispose()
    {
    }
}
