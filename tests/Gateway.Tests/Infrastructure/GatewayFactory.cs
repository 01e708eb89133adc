using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>The gateway in memory (TestServer) in front of real silos, configured as "Gateway:Key" settings.</summary>
internal sealed class GatewayFactory(string silos, OutputSink sink, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<GatewayApp>
{
    public HttpClient NewClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.Timeout = TimeSpan.FromSeconds(60);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Gateway:Silos", silos);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting("Gateway:" + key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new SinkLoggerProvider(sink, "[gateway]"));
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
    }
}
