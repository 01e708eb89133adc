using System.Text;

namespace OrleansRaft.Bench.Reporting;

/// <summary>A markdown table with padded columns, so it reads as well in a terminal as rendered.</summary>
public sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    /// <summary>Columns whose cells are right-aligned (numbers); by default every column but the first.</summary>
    public Func<int, bool> RightAligned { get; init; } = column => column > 0;

    public MarkdownTable Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {headers.Length} columns", nameof(cells));
        }

        rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(3, rows.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> cells) => text.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
        string Pad(string cell, int column) => RightAligned(column) ? cell.PadLeft(widths[column]) : cell.PadRight(widths[column]);
        Line(headers.Select(Pad));
        Line(widths.Select((w, i) => RightAligned(i) ? new string('-', w - 1) + ":" : new string('-', w)));
        foreach (var row in rows)
        {
            Line(row.Select(Pad));
        }

        return text.ToString();
    }
}
