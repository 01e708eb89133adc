using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Silo;

internal sealed class TestOutputLogger(ITestOutputHelper output, string prefix, string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {prefix} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; a silo still stopping has nowhere to write.
        }
    }
}
