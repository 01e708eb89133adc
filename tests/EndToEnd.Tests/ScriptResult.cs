namespace OrleansRaft.EndToEnd.Tests;

/// <summary>What one run of <c>scripts/cluster</c> printed and how it ended.</summary>
public sealed record ScriptResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() =>
        $"scripts/cluster {Command} exited with {ExitCode}\n--- stdout\n{Stdout.TrimEnd()}\n--- stderr\n{Stderr.TrimEnd()}";
}
