namespace OrleansRaft.Bench.Reporting;

/// <summary>The experiment's result: markdown on stdout, and the same text in report.md of the results folder.</summary>
public sealed class Report(TextWriter console, string? file)
{
    private readonly Lock gate = new();

    public void Line(string text = "")
    {
        lock (gate)
        {
            console.WriteLine(text);
            console.Flush();
            if (file is not null)
            {
                File.AppendAllText(file, text + "\n");
            }
        }
    }

    public void Table(MarkdownTable table)
    {
        Line(table.ToString().TrimEnd('\n'));
        Line();
    }
}
