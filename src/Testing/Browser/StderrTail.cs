namespace OrleansRaft.Testing.Browser;

/// <summary>The last lines a process wrote to stderr (bounded), safe to add to from its reader thread.</summary>
internal sealed class StderrTail
{
    private const int MaxLines = 40;

    private readonly Queue<string> lines = new();

    public string Text
    {
        get
        {
            lock (lines)
            {
                return string.Join('\n', lines);
            }
        }
    }

    public void Add(string line)
    {
        lock (lines)
        {
            lines.Enqueue(line);
            if (lines.Count > MaxLines)
            {
                lines.Dequeue();
            }
        }
    }
}
