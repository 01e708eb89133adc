using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansRaft.Gateway;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Silo;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>How long the silo and the gateway give their graceful stop, read from the hosts they really build (never started).</summary>
public static class HostShutdown
{
    private static readonly Lazy<TimeSpan> SiloTimeout = new(() =>
    {
        var options = new SiloOptions { NodeId = 1, Peers = new Dictionary<long, Uri> { [1] = new("http://127.0.0.1:0") }, InMemory = true };
        using var app = SiloApp.Build(options);
        return app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    });

    private static readonly Lazy<TimeSpan> GatewayTimeout = new(() =>
    {
        var options = new GatewayOptions { Silos = new Dictionary<long, Uri> { [1] = new("http://127.0.0.1:1") }, Urls = [new("http://127.0.0.1:0")] };
        using var app = GatewayApp.Build(options);
        return app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    });

    public static TimeSpan Silo => SiloTimeout.Value;

    public static TimeSpan Gateway => GatewayTimeout.Value;
}
