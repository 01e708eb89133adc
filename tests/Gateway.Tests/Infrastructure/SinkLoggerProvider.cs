using Microsoft.Extensions.Logging;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

internal sealed class SinkLoggerProvider(OutputSink sink, string prefix) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SinkLogger(sink, prefix, categoryName);

    public void Dispose()
    {
    }
}
