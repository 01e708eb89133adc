using OpenTelemetry.Trace;

namespace OrleansRaft.Silo.Telemetry;

/// <summary>
/// Parent-based, always on, except for HTTP spans that start a trace: in a silo those are the peer transport's
/// POSTs (a heartbeat batch every few milliseconds, whose Raft work has spans of its own) and probes. A
/// request that arrives with a traceparent (the gateway's) is traced as part of that trace.
/// </summary>
internal sealed class SiloSampler : Sampler
{
    private const string ServerRequest = "Microsoft.AspNetCore.Hosting.HttpRequestIn";
    private const string ClientRequest = "System.Net.Http.HttpRequestOut";

    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private readonly ParentBasedSampler parentBased = new(new AlwaysOnSampler());

    public SiloSampler() => Description = "SiloSampler(ParentBased(AlwaysOn), no root HTTP spans)";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (samplingParameters.ParentContext.TraceId == default && samplingParameters.Name is ServerRequest or ClientRequest)
        {
            return Drop;
        }

        return parentBased.ShouldSample(samplingParameters);
    }
}
