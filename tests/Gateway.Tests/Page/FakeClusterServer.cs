using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using OrleansRaft.Gateway.Page;

namespace OrleansRaft.Gateway.Tests.Page;

/// <summary>
/// A real socket for the browser: the gateway's own page handler at <c>/</c> (same bytes, same headers) and a
/// stand-in <c>/v1/cluster</c> whose answer a test sets between polls: canned JSON, an error status, or no
/// answer at all (held until the client gives up). Counts the requests and the most ever in flight at once.
/// </summary>
internal sealed class FakeClusterServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private volatile Func<HttpContext, Task> answer;
    private int requests;
    private int inFlight;
    private int maxInFlight;
    private int hung;

    private FakeClusterServer(WebApplication app, string json)
    {
        this.app = app;
        answer = JsonAnswer(json);
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Requests to /v1/cluster so far.</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>The most /v1/cluster requests ever open at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    /// <summary>Requests held without an answer (see <see cref="Hang"/>) that the client abandoned.</summary>
    public int Abandoned => Volatile.Read(ref hung);

    /// <param name="policy">Rewrites the page's Content-Security-Policy before it is sent (a test of the browser's enforcement).</param>
    public static async Task<FakeClusterServer> StartAsync(string json, Func<string, string>? policy = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var server = new FakeClusterServer(app, json);
        Func<HttpContext, Task> page = ClusterPage.ServeAsync;
        if (policy is not null)
        {
            page = context =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.ContentSecurityPolicy = policy(context.Response.Headers.ContentSecurityPolicy.ToString());
                    return Task.CompletedTask;
                });
                return ClusterPage.ServeAsync(context);
            };
        }

        app.MapGet(ClusterPage.Route, page);
        app.MapGet("/v1/cluster", (Func<HttpContext, Task>)server.ClusterAsync);
        await app.StartAsync();
        server.Address = new Uri(app.Urls.Single());
        return server;
    }

    public void Answer(string json) => answer = JsonAnswer(json);

    public void Fail(int status) => answer = context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    /// <summary>From now on /v1/cluster never answers; each request is held until its client aborts it.</summary>
    public void Hang() => answer = async context =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref hung);
        }
    };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static Func<HttpContext, Task> JsonAnswer(string json) => context =>
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json);
    };

    private async Task ClusterAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        var now = Interlocked.Increment(ref inFlight);
        for (var seen = Volatile.Read(ref maxInFlight); now > seen; seen = Volatile.Read(ref maxInFlight))
        {
            Interlocked.CompareExchange(ref maxInFlight, now, seen);
        }

        try
        {
            await answer(context);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }
}
