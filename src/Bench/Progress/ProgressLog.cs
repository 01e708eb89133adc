using System.Text;

namespace OrleansRaft.Bench.Progress;

/// <summary>
/// The run's diagnostics on stderr, a line at a time through <see cref="ProgressDisplay"/>, so a line written
/// while bars are shown lands above them instead of through them.
/// </summary>
public sealed class ProgressLog : TextWriter
{
    private readonly StringBuilder line = new();
    private readonly Lock gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (gate)
        {
            if (value == '\n')
            {
                ProgressDisplay.WriteLine(line.ToString().TrimEnd('\r'));
                line.Clear();
            }
            else
            {
                line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value) => Write((value ?? "") + "\n");

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override void Flush()
    {
        lock (gate)
        {
            if (line.Length > 0)
            {
                ProgressDisplay.WriteLine(line.ToString());
                line.Clear();
            }
        }
    }
}
