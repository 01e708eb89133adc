using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace OrleansRaft.Grains.Tests.Postgres;

/// <summary>
/// The PostgreSQL server every test shares, started through <c>scripts/pg start</c> exactly as developers start
/// it (which honours ORLEANSRAFT_PG). Tests get fresh databases from it, dropped when the run ends; the server
/// itself stays up for the next run.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10); // first use may apt-get install

    private readonly ConcurrentDictionary<Type, Task<string>> classDatabases = new();
    private readonly ConcurrentBag<string> created = [];
    private NpgsqlDataSource? admin;

    /// <summary>Connection string of the server's maintenance database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await StartAsync().ConfigureAwait(false);
        admin = NpgsqlDataSource.Create(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (admin is null)
        {
            return;
        }

        foreach (var database in created)
        {
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await admin.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One database per test class, created on first use.</summary>
    public Task<string> DatabaseForAsync(Type testClass) => classDatabases.GetOrAdd(testClass, _ => CreateDatabaseAsync());

    /// <summary>A new empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"orleansraft_test_{Guid.NewGuid():N}";
        await using (var create = Admin.CreateCommand($"CREATE DATABASE \"{name}\""))
        {
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        created.Add(name);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    private NpgsqlDataSource Admin => admin ?? throw new InvalidOperationException("the server fixture is not initialized");

    private static async Task<string> StartAsync()
    {
        var script = Path.Combine(RepositoryRoot.Find(), "scripts", "pg");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { script, "start" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {script}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(StartTimeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{script} start did not finish within {StartTimeout}: {await stderr.ConfigureAwait(false)}");
            }
        }

        var output = (await stdout.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0 || output.Length == 0)
        {
            throw new InvalidOperationException($"{script} start exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}");
        }

        return output.Split('\n')[^1].Trim();
    }
}
