using System.Diagnostics;
using Npgsql;

namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// A fresh, empty database for one run on the scripts/pg server (started if needed; ORLEANSRAFT_PG names an
/// external one instead), dropped at the end unless kept for inspection.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string serverConnectionString;
    private readonly bool keep;
    private readonly TextWriter log;

    private PostgresDatabase(string serverConnectionString, string name, bool keep, TextWriter log)
    {
        this.serverConnectionString = serverConnectionString;
        this.keep = keep;
        this.log = log;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Npgsql connection string of the new database.</summary>
    public string ConnectionString { get; }

    /// <param name="prefix">Starts the database name, e.g. <c>bench_silo</c>; a timestamp and a random suffix follow.</param>
    public static async Task<PostgresDatabase> CreateAsync(string prefix, bool keep, TextWriter log, CancellationToken cancellationToken)
    {
        var server = await StartServerAsync(cancellationToken);
        var name = $"{prefix}_{DateTime.UtcNow:yyyyMMdd_HHmmss}_{Guid.NewGuid().ToString("N")[..6]}";
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var create = admin.CreateCommand($"CREATE DATABASE \"{name}\""))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await log.WriteLineAsync($"bench: database {name} created{(keep ? " (kept after the run)" : "")}");
        return new PostgresDatabase(server, name, keep, log);
    }

    /// <summary>
    /// Transactions committed and rows inserted in this database so far, from pg_stat_database (backends flush
    /// these about once a second, so a difference over a window is good to a second's worth).
    /// </summary>
    public async Task<(long Transactions, long RowsInserted)> StatisticsAsync(CancellationToken cancellationToken)
    {
        await using var source = NpgsqlDataSource.Create(ConnectionString);
        await using var query = source.CreateCommand("SELECT xact_commit, tup_inserted FROM pg_stat_database WHERE datname = current_database()");
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    public async ValueTask DisposeAsync()
    {
        if (keep)
        {
            return;
        }

        try
        {
            await using var admin = NpgsqlDataSource.Create(serverConnectionString);
            // FORCE ends connections still pooled by this process or left by a killed silo.
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException e)
        {
            await log.WriteLineAsync($"bench: could not drop database {Name}: {e.Message}");
        }
    }

    private static async Task<string> StartServerAsync(CancellationToken cancellationToken)
    {
        var script = RepositoryPaths.Script("pg");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { script, "start" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {script}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = (await stdout).Trim();
        if (process.ExitCode != 0 || output.Length == 0)
        {
            throw new InvalidOperationException($"{script} start exited with {process.ExitCode}: {(await stderr).Trim()}");
        }

        return output.Split('\n')[^1].Trim();
    }
}
