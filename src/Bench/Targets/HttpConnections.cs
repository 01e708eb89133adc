using System.Net;

namespace OrleansRaft.Bench.Targets;

/// <summary>
/// N client connections to one address, each its own handler limited to one TCP connection, as wrk opens them:
/// worker w uses connection w mod N. HTTP/1.1 carries one request at a time per connection; HTTP/2 (cleartext,
/// prior knowledge) multiplexes every worker that shares a connection.
/// </summary>
public sealed class HttpConnections : IDisposable
{
    private readonly HttpClient[] clients;

    public HttpConnections(Uri address, Version version, int connections, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        Version = version;
        clients = [.. Enumerable.Range(0, connections).Select(_ => new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            EnableMultipleHttp2Connections = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
        })
        {
            BaseAddress = address,
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = timeout,
        })];
    }

    public Version Version { get; }

    public int Count => clients.Length;

    public HttpClient For(int worker) => clients[worker % clients.Length];

    public static Version ParseVersion(string text) => text switch
    {
        "1.1" or "1" => HttpVersion.Version11,
        "2" or "2.0" or "h2c" => HttpVersion.Version20,
        _ => throw new Cli.UsageException($"--http '{text}': expected 1.1 or 2"),
    };

    public void Dispose()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }
}
