using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Gateway.Forwarding;
using OrleansRaft.Gateway.Http;
using OrleansRaft.Gateway.Page;
using OrleansRaft.Gateway.Telemetry;

namespace OrleansRaft.Gateway;

/// <summary>
/// Builds the gateway: Kestrel serving HTTP/1.1 on --urls and h2c on --h2-urls, the REST routes, OpenAPI, and
/// problem+json for every error. Also the type WebApplicationFactory starts the gateway by.
/// </summary>
public sealed class GatewayApp
{
    private GatewayApp()
    {
    }

    public const string KvRoute = "/v1/kv/{key}";

    public const string AppendRoute = "/v1/kv/{key}/append";

    public const string ClusterRoute = "/v1/cluster";

    public const string MembersRoute = "/v1/cluster/members";

    public const string MemberRoute = "/v1/cluster/members/{id}";

    public const string LeaderRoute = "/v1/cluster/leader";

    /// <param name="hostArguments">Host settings (contentRoot, environment, "Section:Key" values) for the builder's configuration.</param>
    public static WebApplicationBuilder CreateBuilder(IReadOnlyList<string> hostArguments)
    {
        // appsettings.json lives beside the binary, whatever the working directory (unless a test host sets the root).
        var contentRootGiven = hostArguments.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase));
        return WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [.. hostArguments],
            ContentRootPath = contentRootGiven ? null : AppContext.BaseDirectory,
        });
    }

    public static WebApplication Build(GatewayOptions options, Action<ILoggingBuilder>? configureLogging = null) =>
        Build(CreateBuilder([]), options, configureLogging);

    /// <param name="configureLogging">Runs after the default single-line console logging; tests replace it.</param>
    public static WebApplication Build(WebApplicationBuilder builder, GatewayOptions options, Action<ILoggingBuilder>? configureLogging = null)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        // ASP.NET Core starts an Activity per request whenever this category can log at all, and HttpClient then
        // propagates it to the silo: measurable on the hot path for log lines the gateway never writes.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        configureLogging?.Invoke(builder.Logging);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxValueBytes;
            // A body that stops arriving is cut off (408, connection closed) instead of holding a request open.
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromMilliseconds(options.BodyTimeoutMs));
            // Let a non-ASCII Idempotency-Key reach validation (a 400 problem) instead of a bare connection-level 400.
            kestrel.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
            foreach (var url in options.Urls)
            {
                Listen(kestrel, url, HttpProtocols.Http1);
            }

            // Cleartext HTTP/2 needs prior knowledge, which Kestrel offers only on an HTTP/2-only endpoint.
            foreach (var url in options.H2Urls)
            {
                Listen(kestrel, url, HttpProtocols.Http2);
            }
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OrleansRaft gateway";
            document.Info.Description = "Linearizable key/value store over Raft. Every error is application/problem+json (RFC 9457).";
            return Task.CompletedTask;
        }));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<SiloSet>();
        builder.Services.AddSingleton<LeaderCache>();
        builder.Services.AddSingleton<KvForwarder>();
        builder.Services.AddSingleton<ClientSessions>();
        builder.Services.AddSingleton(new DeadlinePool(options.Deadline));
        builder.Services.AddSingleton<KvEndpoints>();
        builder.Services.AddSingleton<ClusterEndpoints>();
        builder.Services.AddSingleton<MembershipForwarder>();
        builder.Services.AddSingleton<MemberEndpoints>();
        // Listening before the host starts; the container disposes it (flushing the exporters) at shutdown.
        if (GatewayTelemetry.Start(options) is { } telemetry)
        {
            builder.Services.AddSingleton(_ => telemetry);
        }

        var app = builder.Build();
        _ = app.Services.GetService<GatewayTelemetry>();
        Map(app);
        return app;
    }

    /// <summary>The addresses the running gateway listens on, with real ports when it was asked for port 0.</summary>
    public static IReadOnlyList<Uri> BoundAddresses(WebApplication app) => [.. app.Urls.Select(url => new Uri(url))];

    private static void Map(WebApplication app)
    {
        app.UseRouting();
        app.UseMiddleware<RoutingProblems>();

        var kv = app.Services.GetRequiredService<KvEndpoints>();
        var cluster = app.Services.GetRequiredService<ClusterEndpoints>();
        var members = app.Services.GetRequiredService<MemberEndpoints>();
        // Delegates made once: a method group in the lambdas below would allocate one per request.
        Func<HttpContext, Task> put = kv.PutAsync, get = kv.GetAsync, delete = kv.DeleteAsync, append = kv.AppendAsync;
        Func<HttpContext, Task> clusterStatus = cluster.ClusterAsync, ready = cluster.ReadyAsync;
        Func<HttpContext, Task> listMembers = members.MembersAsync, addMember = members.AddAsync, removeMember = members.RemoveAsync, transfer = members.TransferAsync;
        // Delegates rather than RequestDelegates: only those get OpenAPI descriptions (RouteHandlerBuilder).
        app.MapPut(KvRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, KvRoute, "put", put)))
            .WithName("PutKey").WithTags("kv").WithSummary("Write a value")
            .DescribeKey().DescribeValueBody("The value: 0 bytes up to --max-value-bytes (default 1 MiB).")
            .Produces<PutReply>().ProducesKvProblems().ProducesProblem(StatusCodes.Status413PayloadTooLarge, Problems.ContentType);
        app.MapGet(KvRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, KvRoute, "get", get)))
            .WithName("GetKey").WithTags("kv").WithSummary("Read a value (linearizable unless consistency=stale)")
            .DescribeKey().DescribeConsistency().ProducesOctetStream()
            .ProducesKvProblems().ProducesProblem(StatusCodes.Status404NotFound, Problems.ContentType);
        app.MapDelete(KvRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, KvRoute, "delete", delete)))
            .WithName("DeleteKey").WithTags("kv").WithSummary("Delete a key")
            .DescribeKey().Produces<DeleteReply>().ProducesKvProblems();
        app.MapPost(AppendRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, AppendRoute, "append", append)))
            .WithName("AppendToKey").WithTags("kv").WithSummary("Append to a value (absent = empty)")
            .DescribeKey().DescribeValueBody("The suffix to append.")
            .Produces<AppendReply>().ProducesKvProblems().ProducesProblem(StatusCodes.Status413PayloadTooLarge, Problems.ContentType);
        app.MapGet(ClusterRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, ClusterRoute, null, clusterStatus)))
            .WithName("Cluster").WithTags("cluster").WithSummary("Every silo's role, term, indexes and recent elections")
            .WithDescription("Each reachable node also lists the last 32 elections it started (oldest first, a running one last): term, start and end, outcome won/lost/superseded/running, winner, whether it ended in the pre-vote round, the reason it started, votes granted/rejected/needed.")
            .Produces<ClusterReply>();
        app.MapGet(MembersRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, MembersRoute, null, listMembers)))
            .WithName("Members").WithTags("membership").WithSummary("The group's voters and learners, as the leader holds them")
            .Produces<MembersReply>().ProducesProblem(StatusCodes.Status503ServiceUnavailable, Problems.ContentType);
        app.MapPost(MembersRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, MembersRoute, null, addMember)))
            .WithName("AddMember").WithTags("membership").WithSummary("Add a voter or learner (one change at a time)")
            .WithDescription("A voter joins as a learner, catches up from the leader's log or snapshot, and is promoted; the reply comes once the change committed. The new silo must already run with --join. 'address' may be omitted for a node the gateway knows.")
            .DescribeJsonBody(("id", JsonSchemaType.Integer, "The new member's node id"), ("address", JsonSchemaType.String, "Its silo's base address, e.g. http://10.0.0.4:7001"), ("role", JsonSchemaType.String, "voter (default) or learner"))
            .Produces<MemberChangeReply>().ProducesMembershipProblems();
        app.MapDelete(MemberRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, MemberRoute, null, removeMember)))
            .WithName("RemoveMember").WithTags("membership").WithSummary("Remove a voter or learner; a leader that removes itself steps down")
            .Produces<MemberChangeReply>().ProducesMembershipProblems();
        app.MapPost(LeaderRoute, (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, LeaderRoute, null, transfer)))
            .WithName("TransferLeadership").WithTags("membership").WithSummary("Hand leadership to a voter; answers once it leads")
            .DescribeJsonBody(("id", JsonSchemaType.Integer, "The voter that should lead"))
            .Produces<LeaderReply>().ProducesMembershipProblems();
        app.MapGet("/healthz", (Func<HttpContext, Task>)ClusterEndpoints.HealthAsync)
            .WithName("Health").WithTags("cluster").WithSummary("200 while the gateway process runs").Produces<string>(contentType: "text/plain");
        app.MapGet("/readyz", (Func<HttpContext, Task>)(context => GatewayDiagnostics.Track(context, "/readyz", null, ready)))
            .WithName("Ready").WithTags("cluster").WithSummary("200 when a leader is known and answers; else 503")
            .Produces<ReadyReply>().ProducesProblem(StatusCodes.Status503ServiceUnavailable, Problems.ContentType);
        // The live cluster page for people: not part of the REST contract, so not in the OpenAPI document.
        app.MapGet(ClusterPage.Route, (Func<HttpContext, Task>)ClusterPage.ServeAsync).WithName("ClusterPage").ExcludeFromDescription();
        app.MapOpenApi();
    }

    private static void Listen(KestrelServerOptions kestrel, Uri address, HttpProtocols protocols)
    {
        if (address.IsLoopback && !IPAddress.TryParse(address.Host.Trim('[', ']'), out _))
        {
            kestrel.ListenLocalhost(address.Port, listen => listen.Protocols = protocols);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, listen => listen.Protocols = protocols);
        }
        else
        {
            // A host name: listen on every interface, the name resolves to one of them.
            kestrel.ListenAnyIP(address.Port, listen => listen.Protocols = protocols);
        }
    }
}
