using System.Diagnostics;

namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>
/// Watches one process from a dedicated thread and reports the moment it was first seen gone (or a zombie): the
/// kill's real time, whatever the killing command took around it. Polls every millisecond.
/// </summary>
internal static class ProcessDeath
{
    /// <returns>The <see cref="Stopwatch"/> timestamp of the first poll that found the process dead.</returns>
    public static Task<long> WatchAsync(int pid, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(
            () =>
            {
                var stat = $"/proc/{pid}/stat";
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (IsDead(stat))
                    {
                        return Stopwatch.GetTimestamp();
                    }

                    Thread.Sleep(1);
                }

                cancellationToken.ThrowIfCancellationRequested();
                return 0L;
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private static bool IsDead(string stat)
    {
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].AsSpan(0, 1);
            return state is "Z" or "X";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return true;
        }
    }
}
