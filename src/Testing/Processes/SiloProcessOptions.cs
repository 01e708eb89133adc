namespace OrleansRaft.Testing.Processes;

/// <summary>How to run one silo process: <c>dotnet OrleansRaft.Silo.dll --node-id N --peers … --pg …</c>.</summary>
public sealed record SiloProcessOptions
{
    public required long NodeId { get; init; }

    /// <summary>Node id → address of every voter, this silo included; the silo listens on its own.</summary>
    public required IReadOnlyDictionary<long, Uri> Peers { get; init; }

    /// <summary>The folder the silo's log file (<c>node-N.log</c>, stdout and stderr of every start) goes to.</summary>
    public required string LogDirectory { get; init; }

    public long GroupId { get; init; } = 1;

    /// <summary>The PostgreSQL log store; null runs the silo with <c>--in-memory</c>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>More command-line options, e.g. <c>--election-timeout 100-200</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Variables set in the silo's environment (ORLEANSRAFT_* of the caller's are removed first).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The silo assembly; by default OrleansRaft.Silo.dll beside the running code (a test references src/Silo).</summary>
    public string SiloAssembly { get; init; } = Path.Combine(AppContext.BaseDirectory, "OrleansRaft.Silo.dll");

    /// <summary>The dotnet host: the SDK's own when it runs us (DOTNET_HOST_PATH), else dotnet on the PATH.</summary>
    public string DotnetHost { get; init; } = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public Uri Address => Peers[NodeId];

    public string LogPath => Path.Combine(LogDirectory, $"node-{NodeId}.log");

    /// <summary>The command line after the dll.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var args = new List<string>
        {
            "--node-id", NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--peers", string.Join(",", Peers.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value.GetLeftPart(UriPartial.Authority)}")),
            "--group", GroupId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (PostgresConnectionString is null)
        {
            args.Add("--in-memory");
        }
        else
        {
            args.Add("--pg");
            args.Add(PostgresConnectionString);
        }

        args.AddRange(ExtraArguments);
        return args;
    }
}
